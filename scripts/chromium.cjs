/*
 * How the portal's tools launch Debian's Chromium: never a browser that
 * Playwright downloads. These flags work as root in a closed network.
 */
module.exports = {
  executablePath: process.env.PORTAL_CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
