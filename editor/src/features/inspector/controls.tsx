/** Small controls the inspector's forms share: inputs that commit on blur/Enter, and problem text. */
import { createContext, useContext, useId, useState, type InputHTMLAttributes, type KeyboardEvent, type ReactNode, type TextareaHTMLAttributes } from 'react';
import type { Problem } from '../../../../engine/elements/types.js';

/** The selected element's problems, paths local to the element (`until.field`). */
export const ProblemsContext = createContext<readonly Problem[]>([]);

/** The problems at exactly this path, and an id for `aria-describedby` when there are any. */
export function useProblemsAt(path: string | undefined): { problems: Problem[]; id: string | undefined } {
  const all = useContext(ProblemsContext);
  const id = useId();
  const problems = path === undefined ? [] : all.filter((p) => p.path === path);
  return { problems, id: problems.length ? id : undefined };
}

/** Problems shown under an input: errors red, warnings amber. */
export function ProblemText({ problems, id }: { problems: readonly Problem[]; id: string | undefined }) {
  if (!problems.length) return null;
  return (
    <ul className="insp-problems" id={id}>
      {problems.map((p, i) => (
        <li key={i} className={p.severity === 'warning' ? 'warn' : 'error'}>{p.message}</li>
      ))}
    </ul>
  );
}

/** Joins ids for `aria-describedby`, leaving out the missing ones. */
export const describedBy = (...ids: (string | undefined | false)[]) => ids.filter(Boolean).join(' ') || undefined;

const isSave = (e: KeyboardEvent) => (e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's';

/**
 * Keeps a local draft of `value`, reset whenever `value` changes from outside (undo, another element);
 * with `hold`, the draft is kept as typed (a live input whose value comes back tidied: "a, " as "a").
 */
function useDraft(value: string, hold = false): [string, (v: string) => void] {
  const [draft, setDraft] = useState(value);
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    // Adjusting state while rendering, as React recommends over an effect: no flash of the old draft.
    setSeen(value);
    if (!hold) setDraft(value);
  }
  return [draft, setDraft];
}

interface DraftProps {
  readonly value: string;
  /** Called on blur or Enter when the text changed (and `check` found nothing wrong); with `live`, on every keystroke. */
  onCommit(value: string): void;
  /**
   * Applies as you type (the canvas and "Unsaved changes" follow at once; the store makes one undo
   * step of a burst of typing). Escape puts back the text from before the input was focused. Default false.
   */
  readonly live?: boolean;
  /** Why a draft can't be kept, or null; a refused draft stays in the input with the reason under it. */
  check?(value: string): string | null;
}

/**
 * A text input that commits on blur or Enter, not on every keystroke, so one edit is one undo step.
 * Escape puts back the committed value.
 */
export function DraftInput({ value, onCommit, check, live = false, ...rest }: DraftProps & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'defaultValue'>) {
  const [focused, setFocused] = useState(false);
  const [draft, setDraft] = useDraft(value, live && focused);
  const [before, setBefore] = useState(value);
  const [refused, setRefused] = useState<string | null>(null);
  const errorId = useId();
  const type = (text: string) => {
    setDraft(text);
    if (!live) return;
    const why = check?.(text) ?? null;
    setRefused(why);
    if (!why && text !== value) onCommit(text);
  };
  const commit = () => {
    if (draft === value) return setRefused(null);
    const why = check?.(draft) ?? null;
    setRefused(why);
    if (!why) onCommit(draft);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    // Enter keeps the text; so does Ctrl+S, before the editor's save reads the map.
    if (e.key === 'Enter' || isSave(e)) commit();
    else if (e.key === 'Escape' && live && draft !== before) {
      e.stopPropagation();
      setDraft(before);
      setRefused(null);
      if (before !== value) onCommit(before);
    } else if (e.key === 'Escape' && !live && draft !== value) {
      e.stopPropagation();
      setDraft(value);
      setRefused(null);
    }
    rest.onKeyDown?.(e);
  };
  return (
    <>
      <input
        {...rest}
        value={draft}
        onChange={(e) => type(e.target.value)}
        onFocus={(e) => {
          setFocused(true);
          setBefore(value);
          rest.onFocus?.(e);
        }}
        onBlur={(e) => {
          setFocused(false);
          if (live && !refused) setDraft(value); // the tidied text the map holds
          else commit();
          rest.onBlur?.(e);
        }}
        onKeyDown={onKeyDown}
        aria-invalid={refused ? true : rest['aria-invalid']}
        aria-describedby={describedBy(rest['aria-describedby'], !!refused && errorId)}
      />
      {refused && <p className="insp-problems error" id={errorId}>{refused}</p>}
    </>
  );
}

/** A textarea that commits on blur (Enter makes a new line); Escape puts back the committed text. */
export function DraftTextarea({ value, onCommit, ...rest }: DraftProps & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'value' | 'onChange' | 'defaultValue'>) {
  const [draft, setDraft] = useDraft(value);
  return (
    <textarea
      {...rest}
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={() => draft !== value && onCommit(draft)}
      onKeyDown={(e) => {
        if (isSave(e) && draft !== value) onCommit(draft);
        if (e.key === 'Escape' && draft !== value) {
          e.stopPropagation();
          setDraft(value);
        }
      }}
    />
  );
}

/**
 * A labelled setting: the label above its control, then the problems validation found at `path`, then a
 * hint. The control gets its id and the ids that describe it.
 */
export function Setting({ label, path, hint, children }: {
  label: ReactNode;
  path?: string;
  hint?: ReactNode;
  children(id: string, describedBy: string | undefined): ReactNode;
}) {
  const id = useId();
  const hintId = useId();
  const { problems, id: problemsId } = useProblemsAt(path);
  return (
    <div className="insp-field">
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy(problemsId, !!hint && hintId))}
      <ProblemText problems={problems} id={problemsId} />
      {hint && <p className="insp-hint" id={hintId}>{hint}</p>}
    </div>
  );
}

/**
 * A number input that commits each valid number as it is typed (empty → `undefined`) and keeps what
 * it can't read (a lone "-") in the box without committing it.
 */
export function NumberInput({ value, onChange, min, ...rest }: {
  readonly value: number | undefined;
  onChange(value: number | undefined): void;
  readonly min?: number;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'min' | 'type'>) {
  const shown = value === undefined ? '' : String(value);
  const [text, setText] = useState(shown);
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    if (Number(text) !== value || text.trim() === '') setText(shown);
  }
  return (
    <input
      {...rest}
      type="number"
      step="any"
      inputMode="decimal"
      min={min}
      value={text}
      onChange={(e) => {
        const t = e.target.value;
        setText(t);
        if (t.trim() === '') return onChange(undefined);
        const n = Number(t);
        if (Number.isFinite(n) && (min === undefined || n >= min)) onChange(n);
      }}
    />
  );
}
