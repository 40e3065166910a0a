import type { DataSource } from 'typeorm';

/** True when the `vector` (pgvector) extension can be created or already is. */
export async function hasVector(dataSource: DataSource): Promise<boolean> {
  const rows: unknown[] = await dataSource.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`);
  return rows.length > 0;
}

/** `CREATE EXTENSION IF NOT EXISTS vector`; returns false (and changes nothing) when pgvector is absent. */
export async function enableVector(dataSource: DataSource): Promise<boolean> {
  if (!(await hasVector(dataSource))) return false;
  await dataSource.query('CREATE EXTENSION IF NOT EXISTS vector');
  return true;
}
