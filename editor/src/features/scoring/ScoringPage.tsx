import type { Route } from '../../lib/route.js';
import { ModelPage } from './ModelPage.js';
import { ModelsList } from './ModelsList.js';
import '../../lib/pages.css';
import '../contacts/contacts.css';
import './scoring.css';

/** `#/scoring` (the models) and `#/scoring/<id>` (one model). */
export function ScoringPage({ route }: { route: Route }) {
  const id = route.parts[1];
  return id ? <ModelPage key={id} id={id} /> : <ModelsList />;
}
