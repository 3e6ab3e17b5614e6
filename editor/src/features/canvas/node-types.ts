import type { NodeTypes } from '@xyflow/react';
import { ConditionNode } from './ConditionNode.js';
import { EndNode } from './EndNode.js';
import { GotoNode } from './GotoNode.js';
import { TriggerNode } from './TriggerNode.js';
import { UpdateFieldNode } from './UpdateFieldNode.js';
import { WaitNode } from './WaitNode.js';
import { WebhookNode } from './WebhookNode.js';
import { AssignOwnerNode } from './AssignOwnerNode.js';

/** One node component per element kind (a module constant: React Flow wants it stable). */
export const NODE_TYPES: NodeTypes = {
  trigger: TriggerNode, update_field: UpdateFieldNode, wait: WaitNode, condition: ConditionNode, goto: GotoNode, end: EndNode,
  webhook: WebhookNode, assign_owner: AssignOwnerNode,
};
