import { readFileSync } from 'node:fs';

/**
 * Ontraport's "Custom Lead Scoring Automation" as a new user builds it: six triggers (a link clicked,
 * the pricing page, a form, a demo request, 30 quiet days, the score reaching 100), their points,
 * the daily wait, "subtract 2, never below 0" and the jump back, the reset with its End and the cap
 * with its jump: 17 elements. It is the custom-lead-score template without the template's own
 * refinement (the "Any points left?" condition and its End), which the recipe does not have.
 */
export function recipeMap(): { name: string; fields: unknown[]; elements: Record<string, any>[] } {
  const template = JSON.parse(readFileSync(new URL('../../maps/custom-lead-score.json', import.meta.url), 'utf8'));
  const elements = (template.elements as Record<string, any>[])
    .filter((e) => e.id !== 'has_points' && e.id !== 'at_zero')
    // Laid out by the editor when it opens (the template's own positions leave room for its condition).
    .map(({ position: _, ...e }) => (e.id === 'decay' ? { ...e, next: 'loop' } : e));
  return { name: 'Custom Lead Scoring Automation', fields: template.fields, elements };
}
