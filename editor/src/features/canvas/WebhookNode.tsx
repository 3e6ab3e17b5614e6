import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { WebhookElement } from '../../../../engine/elements/index.js';
import { useWebhooks } from '../settings/use-webhooks.js';
import type { ElementNode } from './flow-model.js';
import { NodeShell } from './NodeShell.js';
import { webhookWords } from './webhook-words.js';

const OUTLETS = [{ id: 'next' }];

/**
 * A webhook: "Send to Sales channel: 🔥 [First name] reached [Score]" (the subscription by name, from
 * the editor's one shared list), or "Post to hooks.slack.com: …"; the contact goes on at once.
 */
export const WebhookNode = memo(function WebhookNode({ data, selected }: NodeProps<ElementNode>) {
  const hooks = useWebhooks();
  const { words, missing } = webhookWords(data.el as WebhookElement, data.words, hooks.data);
  return <NodeShell kind="webhook" data={words === data.words ? data : { ...data, words }} wordsTone={missing ? 'danger' : undefined}
    selected={!!selected} input outlets={OUTLETS} />;
});
