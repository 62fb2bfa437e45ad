// The stores' tests each migrate a fresh database (SQLite and PostgreSQL);
// on a loaded 2-core CI machine that can take longer than jest's 5 s
// default, which would fail them for being slow, not wrong.
jest.setTimeout(60_000);

export {};
