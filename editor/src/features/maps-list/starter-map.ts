/** The map "New map" creates: one event trigger leading to an End, ready to build on in the editor. */
export function starterMap(name: string) {
  return {
    name,
    description: '',
    fields: [],
    elements: [
      {
        id: 'start', kind: 'trigger', label: 'Clicked a link in an email',
        on: { type: 'event', event: 'email_link_clicked' }, ifOnMap: 'ignore', next: 'end', position: { x: 0, y: 0 },
      },
      { id: 'end', kind: 'end', label: 'End', position: { x: 0, y: 160 } },
    ],
  };
}
