import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { ElementNode } from './flow-model.js';
import { NodeShell } from './NodeShell.js';

const OUTLETS: never[] = [];

/** An end: the contact leaves the map; nothing follows. */
export const EndNode = memo(function EndNode({ data, selected }: NodeProps<ElementNode>) {
  return <NodeShell kind="end" data={data} selected={!!selected} input outlets={OUTLETS} />;
});
