import type { Principal } from '../auth/principal';
import type { Role } from '../auth/roles';
import { html, type Html } from './html';

/** The console's sections, and who may open each (the API's roles for the same data). */
export const SECTIONS: readonly { readonly path: string; readonly title: string; readonly roles: readonly Role[] }[] = [
  { path: '/console/complaints', title: 'Complaints', roles: ['case_handler', 'auditor'] },
  { path: '/console/breaches', title: 'Breaches', roles: ['analyst', 'auditor'] },
  { path: '/console/statistics', title: 'TSM statistics', roles: ['analyst', 'auditor'] },
  { path: '/console/report', title: 'Annual report', roles: ['analyst', 'auditor'] },
];

export const mayOpen = (principal: Principal, roles: readonly Role[]) => principal.roles.some((role) => roles.includes(role));

/** A whole console page: skip link, header with the sections this person may open, sign-out, main. */
export function page(title: string, body: Html, principal: Principal | null, current?: string): string {
  const sections = principal ? SECTIONS.filter((section) => mayOpen(principal, section.roles)) : [];
  return html`<!doctype html>
    <html lang="en-GB">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} – complaint-ledger console</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/console/assets/console.css" />
        <script src="/console/assets/console.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to main content</a>
        <header class="site">
          <a class="service" href="/console">complaint-ledger console</a>
          ${
            sections.length
              ? html`<nav aria-label="Console sections">
                  <ul>
                    ${sections.map(
                      (section) =>
                        html`<li>
                          <a href="${section.path}" ${section.path === current ? html` aria-current="page"` : ''}>${section.title}</a>
                        </li>`,
                    )}
                  </ul>
                </nav>`
              : ''
          }
          ${
            principal
              ? html`<div class="who">
                  <span>Signed in as ${principal.name} (${principal.roles.join(', ').replace(/_/g, ' ')})</span>
                  <form method="post" action="/console/sign-out"><button type="submit">Sign out</button></form>
                </div>`
              : ''
          }
        </header>
        <main id="main" tabindex="-1">
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html>`.html;
}
