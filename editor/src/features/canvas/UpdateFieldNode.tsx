import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { ElementNode } from './flow-model.js';
import { NodeShell } from './NodeShell.js';

const OUTLETS = [{ id: 'next' }];

/** A field update: "Custom Lead Score = [Custom Lead Score] + 5". */
export const UpdateFieldNode = memo(function UpdateFieldNode({ data, selected }: NodeProps<ElementNode>) {
  return <NodeShell kind="update_field" data={data} selected={!!selected} input outlets={OUTLETS} />;
});
