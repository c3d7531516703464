import type { Principal } from '../../auth/principal';
import type { Role } from '../../auth/roles';
import { html } from '../html';
import { page, SECTIONS } from '../layout';

/** A role as people say it, one or many: `case_handler` → "case handler", "case handlers". */
const roleName = (role: Role, many = false) => `${role.replace(/_/g, ' ')}${many ? 's' : ''}`;

/** Who may use which pages, from the sections themselves. */
const WHAT_EACH_ROLE_SEES: readonly { role: Role; sees: string }[] = (['auditor', 'analyst', 'case_handler'] as const).map((role) => ({
  role,
  sees: SECTIONS.filter((section) => section.roles.includes(role))
    .map((section) => section.title)
    .join(', '),
}));

/** The sign-in form: an API key or a token, posted once and exchanged for a sign-in cookie. */
export function signInPage(problem?: string): string {
  return page(
    'Sign in',
    html`${problem ? html`<div class="error" role="alert"><p>${problem}</p></div>` : ''}
      <p>
        Sign in with an <strong>auditor's</strong> key to see everything the console shows, each complaint's full record included. Each role
        sees:
      </p>
      <ul>
        ${WHAT_EACH_ROLE_SEES.map(({ role, sees }) => html`<li><strong>${roleName(role, true)}</strong>: ${sees}</li>`)}
      </ul>
      <p>
        Use your API key or, where your landlord has set one up, a token from its sign-in service. On a machine where the ledger was started
        with <code>npm start</code>, the keys are in <code>data/local-api-keys</code>, one line per role (<code>name:role:key</code>). The
        key is exchanged for a sign-in that ends after a while without use, or when you sign out; it is never shown or kept in the page.
      </p>
      <form method="post" action="/console/sign-in">
        <label for="credential">API key or token</label>
        <input id="credential" name="credential" type="password" autocomplete="off" required spellcheck="false" size="48" />
        <p><button type="submit">Sign in</button></p>
      </form>`,
    null,
  );
}

/** Why a page is refused, in a sentence: "This page is for analysts and auditors; you are signed in as …". */
export function notForYourRole(roles: readonly Role[], principal: Principal): string {
  const allowed = roles.map((role) => roleName(role, true));
  const held = principal.roles.map((role) => roleName(role)).join(', ');
  return `This page is for ${allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} and ${allowed.at(-1)}` : allowed[0]}; you are signed in as ${principal.name} (${held}). Sign out and sign in with a key for one of those roles to open it.`;
}

/** A console page for a refusal or a missing thing, in words. */
export function problemPage(title: string, detail: string, principal: Parameters<typeof page>[2]): string {
  return page(
    title,
    html`<div class="error" role="alert"><p>${detail}</p></div>
      <p><a href="/console">Back to the console</a></p>`,
    principal,
  );
}
