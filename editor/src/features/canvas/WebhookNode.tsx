import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { ElementNode } from './flow-model.js';
import { NodeShell } from './NodeShell.js';

const OUTLETS = [{ id: 'next' }];

/** A webhook: "Post to hooks.slack.com: 🔥 [First name] reached [Score]"; the contact goes on at once. */
export const WebhookNode = memo(function WebhookNode({ data, selected }: NodeProps<ElementNode>) {
  return <NodeShell kind="webhook" data={data} selected={!!selected} input outlets={OUTLETS} />;
});
