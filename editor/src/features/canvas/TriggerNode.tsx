import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { ElementNode } from './flow-model.js';
import { NodeShell } from './NodeShell.js';

const OUTLETS = [{ id: 'next' }];

/** A trigger: a door onto the map, at the top; nothing leads into it. */
export const TriggerNode = memo(function TriggerNode({ data, selected }: NodeProps<ElementNode>) {
  return <NodeShell kind="trigger" data={data} selected={!!selected} input={false} outlets={OUTLETS} />;
});
