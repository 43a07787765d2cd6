import type pg from 'pg';

export type Queryable = pg.Pool | pg.PoolClient;
