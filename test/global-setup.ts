import { ensureEditorBuilt } from '../server/serve.js';

/** Builds the editor once before the browser tests (never in parallel from several test files). */
export default async function setup(): Promise<void> {
  await ensureEditorBuilt(() => {});
}
