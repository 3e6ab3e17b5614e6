import type { Route } from '../../lib/route.js';
import { ContactPage } from './ContactPage.js';
import { ContactsList } from './ContactsList.js';
import '../../lib/pages.css';
import './contacts.css';

/** `#/contacts` (the list) and `#/contacts/<id>` (one contact). */
export function ContactsPage({ route }: { route: Route }) {
  const id = route.parts[1];
  return id ? <ContactPage key={id} id={id} /> : <ContactsList />;
}
