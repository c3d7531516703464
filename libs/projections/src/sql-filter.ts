/** Builds a WHERE clause from optional filters, with named parameters (never string-built values). */
export class SqlFilter {
  private readonly clauses: string[] = [];
  readonly params: Record<string, string | number> = {};

  /** Adds `clause` with `@name` bound to `value`, unless the filter was not given. */
  when(value: string | number | undefined, name: string, clause: string): this {
    if (value === undefined || value === '') return this;
    this.clauses.push(clause);
    this.params[name] = value;
    return this;
  }

  /** Adds a clause with no parameter when `condition` holds. */
  whenTrue(condition: boolean, clause: string): this {
    if (condition) this.clauses.push(clause);
    return this;
  }

  /** Adds a keyset-pagination clause for the position after the cursor's row. */
  after(cursor: readonly [string, string] | null, clause: string): this {
    if (!cursor) return this;
    this.clauses.push(clause);
    this.params.afterAt = cursor[0];
    this.params.afterKey = cursor[1];
    return this;
  }

  get sql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}
