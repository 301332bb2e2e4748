import { getTableName, sql, type Column } from 'drizzle-orm';

/**
 * A column with its table's name, for subqueries written in `sql`. Drizzle leaves the column names
 * of a one-table select unqualified, also inside such a subquery, where `"id"` would then be the
 * subquery's own column instead of the outer row's.
 */
export const qualified = (column: Column) => sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`;

/**
 * A timestamp as milliseconds since the epoch, for values built with json_build_array or json_agg:
 * inside JSON a timestamp would be text in PostgreSQL's format, and drizzle would not map it.
 */
export const epochMs = (column: Column) => sql`floor(extract(epoch from ${qualified(column)}) * 1000)::float8`;
