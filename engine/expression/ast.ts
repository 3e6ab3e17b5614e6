/**
 * The expression tree. Nodes are immutable values (frozen at construction) in the Kysely
 * style: a `kind` tag, the 0-based source position a message should point at, and the
 * static type the node was checked to have — so the evaluator never guesses a type from
 * a runtime value (an epoch-ms date and a number look the same at runtime).
 */

/** The kinds of value an expression computes. Dates are UTC epoch milliseconds. */
export type ValueType = 'number' | 'text' | 'date' | 'boolean';

/** The arithmetic operators, all binary; `-` is also unary. */
export type BinaryOp = '+' | '-' | '*' | '/' | '%';

/** The functions an expression may call (SPEC §2 "Expressions"). */
export type FunctionName = 'min' | 'max' | 'clamp' | 'round' | 'floor' | 'ceil' | 'abs' | 'now' | 'days_since';

interface NodeBase {
  /** 0-based index in the source: the operator, the function name, `[` or the literal's start. */
  readonly pos: number;
  /** The static type the type checker settled for this node. */
  readonly type: ValueType;
}

/** A number literal: `12`, `3.5`, `.5`. */
export interface NumberNode extends NodeBase {
  readonly kind: 'number';
  readonly type: 'number';
  readonly value: number;
}

/** A `"quoted text"` literal, escapes already resolved. */
export interface TextNode extends NodeBase {
  readonly kind: 'text';
  readonly type: 'text';
  readonly value: string;
}

/** `true` or `false`. */
export interface BooleanNode extends NodeBase {
  readonly kind: 'boolean';
  readonly type: 'boolean';
  readonly value: boolean;
}

/** A field reference, resolved to the field's key when parsed; `type` is the field's type. */
export interface FieldNode extends NodeBase {
  readonly kind: 'field';
  readonly key: string;
  /** The reference exactly as written, brackets included: `[custom lead score ]`. */
  readonly source: string;
}

/** Unary minus. */
export interface UnaryNode extends NodeBase {
  readonly kind: 'unary';
  readonly op: '-';
  readonly operand: Expr;
}

/** `left op right`; `pos` is the operator's. */
export interface BinaryNode extends NodeBase {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** A function call; `pos` is the function name's. */
export interface CallNode extends NodeBase {
  readonly kind: 'call';
  readonly name: FunctionName;
  readonly args: readonly Expr[];
}

/** A compiled, type-checked expression. */
export type Expr = NumberNode | TextNode | BooleanNode | FieldNode | UnaryNode | BinaryNode | CallNode;
