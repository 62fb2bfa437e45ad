import { createServer } from 'node:http';

const wishlists = new Map<string, string[]>();

createServer((req, res) => {
  const user = req.headers['x-user'] as string | undefined;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ items: user ? wishlists.get(user) ?? [] : [] }));
}).listen(Number(process.env.PORT ?? 8080));
