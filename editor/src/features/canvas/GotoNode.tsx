import { memo } from 'react';
import { Position, type NodeProps } from '@xyflow/react';
import type { ElementNode } from './flow-model.js';
import { NodeShell } from './NodeShell.js';

const OUTLETS = [{ id: 'target', side: Position.Right }];

/** A go-to: "Go to <target>", its jump drawn as a dashed line from its side. */
export const GotoNode = memo(function GotoNode({ data, selected }: NodeProps<ElementNode>) {
  return <NodeShell kind="goto" data={data} selected={!!selected} input outlets={OUTLETS} />;
});
