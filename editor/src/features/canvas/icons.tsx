import type { ElementKindName } from '../../../../engine/elements/index.js';

/** Inline SVG paths per kind (24×24, stroked): bolt, pencil, clock, fork, jump, stop, paper plane, person with a turn arrow. */
const PATHS: { readonly [K in ElementKindName]: string } = {
  trigger: 'M13 2 4 14h7l-1 8 9-12h-7l1-8z',
  update_field: 'M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4',
  wait: 'M12 7v5l3 2M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0z',
  condition: 'M12 3 3 12l9 9 9-9-9-9zM12 8v5M12 16v.01',
  goto: 'M4 19v-6a5 5 0 0 1 5-5h11M15 3l5 5-5 5',
  end: 'M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0zM9 9h6v6H9z',
  webhook: 'M3 11 21 3l-7 18-3-7-8-3zM11 14l10-11',
  assign_owner: 'M15 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2M8.5 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM17 8h5M19.5 5.5 22 8l-2.5 2.5',
};

/** The icon of an element kind, in the current text colour. */
export function KindIcon({ kind, size = 16 }: { kind: ElementKindName; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2}
      strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d={PATHS[kind]} />
    </svg>
  );
}

/** How the editor names each kind. */
export const KIND_TITLES: { readonly [K in ElementKindName]: string } = {
  trigger: 'Trigger', update_field: 'Update field', wait: 'Wait', condition: 'Condition', goto: 'Go to', end: 'End', webhook: 'Webhook',
  assign_owner: 'Assign owner',
};

/** The CSS colour variable of each kind (styles.css). */
export const KIND_COLORS: { readonly [K in ElementKindName]: string } = {
  trigger: 'var(--k-trigger)', update_field: 'var(--k-update)', wait: 'var(--k-wait)',
  condition: 'var(--k-condition)', goto: 'var(--k-goto)', end: 'var(--k-end)', webhook: 'var(--k-webhook)',
  assign_owner: 'var(--k-assign)',
};
