// `serve`'s rule for the phones' default ports: 80 and 443 need administrator rights on most systems; when the
// system refuses them, the server listens on these instead (and says so). Pre-flight reports the same ports.
export const PORT_FALLBACK: Readonly<Record<number, number>> = { 80: 8080, 443: 8443 };
