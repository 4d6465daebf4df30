/**
 * How an adapter turns its SQL modules into port methods without writing one forwarding method each. An
 * operation is a function of a database handle and the port method's arguments (`getGrid(db, tenant, gridId)`);
 * a runner says how one call runs: which transaction, under which name (for logs and errors). Binding a table
 * of operations with a runner gives the port methods (`getGrid(tenant, gridId)`), each one transaction.
 *
 * The adapters check the result against the Store port with `satisfies`, so a missing or mistyped method
 * fails the typecheck. Operations that need more than "run this in a transaction" stay written out.
 */

/**
 * Runs one call of an operation, named, inside the transaction this runner stands for. Untyped in its result
 * on purpose: the result is the operation's, and Bound gives it back its type.
 */
export type Runner<Db> = (name: string, call: (db: Db) => unknown) => Promise<unknown>;

// `never[]` accepts every parameter list (parameters are contravariant); the mapped type recovers them.
type Operation<Db> = (db: Db, ...args: never[]) => unknown;

export type Bound<Db, Ops extends Record<string, Operation<Db>>> = {
  [K in keyof Ops]: Ops[K] extends (db: Db, ...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

export function bindOperations<Db, Ops extends Record<string, Operation<Db>>>(
  run: Runner<Db>,
  operations: Ops,
): Bound<Db, Ops> {
  const bound: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, operation] of Object.entries(operations)) {
    bound[name] = (...args) => run(name, (db) => operation(db, ...args));
  }
  return bound as Bound<Db, Ops>;
}
