export interface Config {
  bi?: {
    /**
     * Business metrics, read monthly per product. Each source returns the
     * columns month (YYYY-MM), entity (an entity ref; a bare name is a
     * system) and value.
     */
    metrics?: Array<{
      name: string;
      title?: string;
      /** What one of it is, for "cost per …" (order, active user). */
      unit?: string;
      source: {
        /** A CSV file, relative to the backend's working directory. */
        csv?: string;
        /** Or a query against one of `bi.connections`. */
        sql?: { connection: string; query: string };
      };
    }>;
    /** Warehouse connections for SQL metric sources (knex settings). */
    connections?: {
      [name: string]: {
        /** pg, mysql2, better-sqlite3, … */
        client: string;
        /** @visibility secret */
        connection: string | object;
      };
    };
  };
}
