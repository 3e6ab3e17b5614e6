import { z } from 'zod';
import { trigger, TriggerElement } from './trigger.js';
import { updateField, UpdateFieldElement } from './update-field.js';
import { wait, WaitElement } from './wait.js';
import { condition, ConditionElement } from './condition.js';
import { goto, GotoElement } from './goto.js';
import { end, EndElement } from './end.js';
import { webhook, WebhookElement } from './webhook.js';
import { assignOwner, AssignOwnerElement } from './assign-owner.js';
import type { ElementKind } from './types.js';

/** Any element of a map. */
export const Element = z.discriminatedUnion('kind', [
  TriggerElement, UpdateFieldElement, WaitElement, ConditionElement, GotoElement, EndElement, WebhookElement, AssignOwnerElement,
]);
export type Element = z.infer<typeof Element>;
export type ElementKindName = Element['kind'];

/** The registry: adding a kind is one new file and one line here. */
export const KINDS: { readonly [K in ElementKindName]: ElementKind<Extract<Element, { kind: K }>> } = {
  trigger, update_field: updateField, wait, condition, goto, end, webhook, assign_owner: assignOwner,
};

/** The kind module for an element. */
export function kindOf<E extends Element>(el: E): ElementKind<E> {
  return KINDS[el.kind] as unknown as ElementKind<E>;
}

export type { TriggerElement, UpdateFieldElement, WaitElement, ConditionElement, GotoElement, EndElement, WebhookElement, AssignOwnerElement };
