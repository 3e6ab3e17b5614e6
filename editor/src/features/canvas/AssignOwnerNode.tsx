import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { ElementNode } from './flow-model.js';
import { NodeShell } from './NodeShell.js';

const OUTLETS = [{ id: 'next' }];

/** Assign owner: "Owner in turn: ana@…, ben@…, cy@…"; the contact goes on at once. */
export const AssignOwnerNode = memo(function AssignOwnerNode({ data, selected }: NodeProps<ElementNode>) {
  return <NodeShell kind="assign_owner" data={data} selected={!!selected} input outlets={OUTLETS} />;
});
