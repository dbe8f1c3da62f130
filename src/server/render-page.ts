import { stringsFor, type Strings } from '../content/strings/index.js';
import type { Locale } from '../domain/locale.js';

/** The public pages the Teams manifest links to (website, privacy statement, terms of use). */
export type PageName = keyof Omit<Strings['pages'], 'otherLanguage'>;

const PATHS: Record<PageName, string> = { home: '/', privacy: '/privacy', terms: '/terms' };

/** The path each page is served at. */
export function pagePath(name: PageName): string {
  return PATHS[name];
}

/** A small, self-contained HTML page in one language, with links to the others. */
export function renderPage(name: PageName, locale: Locale): string {
  const strings = stringsFor(locale);
  const page = strings.pages[name];
  const other = strings.pages.otherLanguage;
  const nav = (Object.keys(PATHS) as PageName[])
    .map((key) => `<a href="${PATHS[key]}?lang=${locale}">${escapeHtml(strings.pages[key].title)}</a>`)
    .join(' · ');
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.6;color:#1b1b1b}nav{font-size:.9rem}a{color:#2e5bba}</style>
</head>
<body>
<nav>${nav} · <a href="${PATHS[name]}?lang=${other.locale}" lang="${other.locale}">${escapeHtml(other.label)}</a></nav>
<h1>${escapeHtml(page.title)}</h1>
${page.paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('\n')}
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
