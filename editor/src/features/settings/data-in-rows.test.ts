import { describe, expect, it } from 'vitest';
import { changed, placeProblems, rowProblems, rowsOf, tableOf, typeProblem, typeSuggestion, type Row } from './data-in-rows.js';

const row = (id: number, name: string, target: string | null, custom?: boolean): Row => ({ id, name, target, ...(custom !== undefined && { custom }) });

describe('the rows of Settings → Data in', () => {
  it('are the saved table, and make it again with names trimmed, leaving out rows not finished', () => {
    const saved = { events: { 'Webinar Joined': 'webinar_attended', Heartbeat: '' }, traits: { plan: 'subscription_plan' } };
    const rows = rowsOf(saved);
    expect(rows.events.map((r) => [r.name, r.target])).toEqual([['Webinar Joined', 'webinar_attended'], ['Heartbeat', '']]);
    expect(tableOf(rows)).toEqual(saved);
    expect(changed(rows, saved)).toBe(false);
    const edited = { ...rows, events: [...rows.events, row(90, '  Demo Booked ', 'demo_requested'), row(91, '', null), row(92, 'Half done', null), row(93, 'Typing', '', true)] };
    expect(tableOf(edited).events).toEqual({ 'Webinar Joined': 'webinar_attended', Heartbeat: '', 'Demo Booked': 'demo_requested' });
    expect(changed(edited, saved)).toBe(true);
    // A blank row added and left says nothing.
    expect(changed({ ...rows, traits: [...rows.traits, row(94, '', null)] }, saved)).toBe(false);
  });

  it('say what is wrong with a row in words, ignoring blank ones', () => {
    const problems = rowProblems('events', [
      row(1, 'Webinar Joined', 'webinar_attended'), row(2, 'webinar joined', ''), row(3, '', 'purchase'), row(4, 'Signed Up', 'Signed Up!', true),
      row(5, 'Paid', null), row(6, 'Typed', '', true), row(7, '', null), row(8, 'Fine', 'my.custom_type', true),
    ]);
    expect(Object.fromEntries(problems)).toEqual({
      2: 'The same name as "Webinar Joined" above: keep one row.',
      3: 'Give the event name as your source sends it, or remove the row.',
      4: '"Signed Up!" is not an event type: lower-case letters, digits, "_" or ".", starting with a letter — write it as signed_up.',
      5: 'Choose the type it is recorded as, or Ignore.',
      6: 'Type the event type, e.g. webinar_attended.',
    });
    expect(Object.fromEntries(rowProblems('traits', [row(1, 'plan', null), row(2, 'tier', '')]))).toEqual({ 1: 'Choose the field it is written to, or Ignore.' });
  });

  it('suggest a type in lower snake case, and none where nothing is left', () => {
    expect(typeSuggestion('Webinar Attended')).toBe('webinar_attended');
    expect(typeSuggestion(' 2024 Demo-Booked! ')).toBe('demo_booked');
    expect(typeProblem('!!!')).toBe('"!!!" is not an event type: lower-case letters, digits, "_" or ".", starting with a letter.');
    expect(typeProblem('webinar_attended')).toBeNull();
  });

  it('place the server\'s problems on their rows by name, and the others apart', () => {
    const rows = { events: [row(1, 'Webinar Joined', 'x'), row(2, 'webinar-joined', '')], traits: [row(3, ' plan ', 'planz')] };
    const placed = placeProblems([
      { table: 'events', name: 'webinar-joined', message: 'same name' },
      { table: 'traits', name: 'plan', message: 'no field "planz"' },
      { table: 'events', name: '', message: 'too many rows' },
      { table: 'traits', name: 'gone', message: 'a row since removed' },
    ], rows);
    expect(Object.fromEntries(placed.byRow)).toEqual({ 2: 'same name', 3: 'no field "planz"' });
    expect(placed.other).toEqual(['too many rows', 'a row since removed']);
  });
});
