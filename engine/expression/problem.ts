/** A compile-time problem with an expression, as a value a person can act on. */
export interface ExpressionProblem {
  /** Reads well on its own and names the place as "character N" (1-based, for people). */
  message: string;
  /** 0-based index into the source. */
  position: number;
}

/**
 * Thrown by the tokenizer, parser and type checker. Throwing unwinds a recursive-descent
 * parser far more simply than threading results through every level; `compileExpression`
 * catches it and hands the problem back as a value, so nothing outside this folder sees it.
 */
export class ExpressionSyntaxError extends Error {
  readonly position: number;

  constructor(message: string, position: number) {
    super(message);
    this.name = 'ExpressionSyntaxError';
    this.position = position;
  }

  /** The problem as a plain value. */
  toProblem(): ExpressionProblem {
    return { message: this.message, position: this.position };
  }
}

/** "at character N" for a 0-based position: people count characters from 1. */
export function at(position: number): string {
  return `at character ${position + 1}`;
}

/** Quotes a piece of source for a message, shortened so one long literal cannot flood it. */
export function quote(text: string, max = 24): string {
  return `"${shorten(text, max)}"`;
}

/** Cuts `text` to at most `max` characters, marking the cut with "…". */
export function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
