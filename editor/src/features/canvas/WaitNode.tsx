import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { ElementNode } from './flow-model.js';
import { NodeShell } from './NodeShell.js';

const PLAIN = [{ id: 'next' }];
const WITH_TIMEOUT = [{ id: 'next', label: 'Condition met', left: '30%' }, { id: 'timeoutNext', label: 'Timeout', left: '76%' }];

/** A wait; one waiting for a condition with a timeout has a second outlet for the timeout. */
export const WaitNode = memo(function WaitNode({ data, selected }: NodeProps<ElementNode>) {
  const el = data.el;
  const timeout = el.kind === 'wait' && (el.timeout !== undefined || el.timeoutNext !== undefined);
  return <NodeShell kind="wait" data={data} selected={!!selected} input outlets={timeout ? WITH_TIMEOUT : PLAIN} />;
});
