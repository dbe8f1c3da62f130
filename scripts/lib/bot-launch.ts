/**
 * Node's arguments for running the bot from source, as `npm run dev` does (from the project root).
 *
 * `--disable-warning=DEP0111` hides exactly one warning, not ours: restify 11 requires spdy at load time
 * (for HTTP/2, which this bot never turns on), and spdy's dependency http-deceiver 1.2.7 calls
 * `process.binding('http_parser')`, which Node 20 reports as DEP0111 on every start. It is harmless, and
 * the fix upstream is restify 12, which drops spdy but needs Node 22. Every other warning still shows.
 * `npm start` passes the same flag (package.json).
 */
export const BOT_NODE_ARGS: readonly string[] = ['--disable-warning=DEP0111', '--import', 'tsx', 'src/index.ts'];
