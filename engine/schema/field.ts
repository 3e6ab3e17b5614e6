import { z } from 'zod';

/** The kinds of value a contact field holds. Dates are UTC epoch milliseconds. */
export const FieldType = z.enum(['number', 'text', 'date', 'boolean', 'tags']);
export type FieldType = z.infer<typeof FieldType>;

/** A field key: lower-case letters, digits and underscores, starting with a letter. */
export const FieldKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'a field key is a lower-case letter followed by up to 63 lower-case letters, digits or underscores');

/** A custom field as a map (or the API) declares it. `tags` is built in only. */
export const FieldDefinition = z.strictObject({
  key: FieldKey,
  label: z.string().trim().min(1).max(100),
  type: z.enum(['number', 'text', 'date', 'boolean']),
  /** Number fields: places kept after the point, rounding half away from zero (default 0). */
  decimals: z.number().int().min(0).max(3).optional(),
  default: z.union([z.number(), z.string(), z.boolean()]).optional(),
});
export type FieldDefinition = z.infer<typeof FieldDefinition>;

/** A field as the engine knows it: built in or custom, with its type settled. */
export interface FieldDef {
  readonly key: string;
  readonly label: string;
  readonly type: FieldType;
  readonly decimals?: number;
  readonly default?: number | string | boolean;
  readonly builtin?: boolean;
  /** Labels the field had before it was renamed: maps that name it so keep working. */
  readonly formerLabels?: readonly string[];
}

/** The fields every contact has (SPEC §1). */
export const BUILTIN_FIELDS: readonly FieldDef[] = [
  { key: 'email', label: 'Email', type: 'text', builtin: true },
  { key: 'first_name', label: 'First name', type: 'text', builtin: true },
  { key: 'last_name', label: 'Last name', type: 'text', builtin: true },
  { key: 'job_title', label: 'Job title', type: 'text', builtin: true },
  { key: 'company', label: 'Company', type: 'text', builtin: true },
  { key: 'industry', label: 'Industry', type: 'text', builtin: true },
  { key: 'country', label: 'Country', type: 'text', builtin: true },
  { key: 'lifecycle_stage', label: 'Lifecycle stage', type: 'text', builtin: true },
  { key: 'company_size', label: 'Company size', type: 'number', decimals: 0, builtin: true },
  { key: 'tags', label: 'Tags', type: 'tags', builtin: true },
  { key: 'created_at', label: 'Created', type: 'date', builtin: true },
  { key: 'last_activity_at', label: 'Last activity', type: 'date', builtin: true },
  { key: 'score', label: 'Score', type: 'number', decimals: 3, builtin: true },
  // Identities from other tools (SPEC §10): a sending app's user id, unique; the first anonymous id
  // a website or app gave the person (every one it gave is kept for finding them again).
  { key: 'external_id', label: 'External id', type: 'text', builtin: true },
  { key: 'anonymous_id', label: 'Anonymous id', type: 'text', builtin: true },
  // The sales workspace (SPEC §12): who owns the lead (a person's email), and sales' verdict on it
  // (`accepted` or `rejected`) with the reason chosen from the editable list. Maps can trigger on them.
  { key: 'owner', label: 'Owner', type: 'text', builtin: true },
  { key: 'qualification_status', label: 'Qualification status', type: 'text', builtin: true },
  { key: 'qualification_reason', label: 'Qualification reason', type: 'text', builtin: true },
];

/** The built-in fields the sales workspace added (SPEC §12), in migration 0012. */
export const TEAM_FIELDS = ['owner', 'qualification_status', 'qualification_reason'] as const;

/**
 * Finds fields by key or by label. A label matches ignoring case and surrounding
 * spaces, so `[Score ]` and `[score]` both name the Score field.
 */
export class FieldRegistry {
  readonly #byKey = new Map<string, FieldDef>();
  readonly #byLabel = new Map<string, FieldDef>();

  constructor(fields: Iterable<FieldDef>) {
    for (const f of fields) {
      this.#byKey.set(f.key, f);
      this.#byLabel.set(normalizeLabel(f.label), f);
    }
    // A former label still finds its field, unless a field has it as its label now.
    for (const f of this.#byKey.values()) {
      for (const old of f.formerLabels ?? []) if (!this.#byLabel.has(normalizeLabel(old))) this.#byLabel.set(normalizeLabel(old), f);
    }
  }

  /** Resolves a reference written by a person: a key first, then a label. */
  resolve(ref: string): FieldDef | undefined {
    const trimmed = ref.trim();
    return this.#byKey.get(trimmed) ?? this.#byLabel.get(normalizeLabel(trimmed));
  }

  get(key: string): FieldDef | undefined {
    return this.#byKey.get(key);
  }

  all(): FieldDef[] {
    return [...this.#byKey.values()];
  }

  /** A registry with more fields; later definitions of the same key win. */
  with(fields: Iterable<FieldDef>): FieldRegistry {
    return new FieldRegistry([...this.#byKey.values(), ...fields]);
  }
}

export function normalizeLabel(label: string): string {
  return label.trim().toLowerCase();
}

/** Rounds half away from zero to `decimals` places (SPEC §1). */
export function roundHalfAwayFromZero(value: number, decimals = 0): number {
  const factor = 10 ** decimals;
  // From 2^52 on a double holds no fraction to round; scaling it would only nudge it, or overflow to Infinity.
  if (!(Math.abs(value) * factor < 2 ** 52)) return value;
  // Scale with a tiny relative nudge so 1.005 (stored as 1.00499999…) still rounds up.
  const scaled = Math.abs(value) * factor * (1 + Number.EPSILON * 4);
  const rounded = Math.round(scaled) / factor;
  return value < 0 ? -rounded : rounded;
}
