import { html } from '../html';
import { page } from '../layout';

/** The sign-in form: an API key or a token, posted once and exchanged for a sign-in cookie. */
export function signInPage(problem?: string): string {
  return page(
    'Sign in',
    html`${problem ? html`<div class="error" role="alert"><p>${problem}</p></div>` : ''}
      <p>
        Use your API key or, where your landlord has set one up, a token from its sign-in service. It is exchanged for a sign-in that ends
        after a while without use, or when you sign out; it is never shown or kept in the page.
      </p>
      <form method="post" action="/console/sign-in">
        <label for="credential">API key or token</label>
        <input id="credential" name="credential" type="password" autocomplete="off" required spellcheck="false" size="48" />
        <p><button type="submit">Sign in</button></p>
      </form>`,
    null,
  );
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
