import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { ElementNode } from './flow-model.js';
import { NodeShell } from './NodeShell.js';

const OUTLETS = [{ id: 'then', label: 'Yes', left: '28%' }, { id: 'else', label: 'No', left: '72%' }];

/** A condition: a Yes and a No outlet. */
export const ConditionNode = memo(function ConditionNode({ data, selected }: NodeProps<ElementNode>) {
  return <NodeShell kind="condition" data={data} selected={!!selected} input outlets={OUTLETS} />;
});
