// The JSON API: fetch with the API key (asked for once per tab on a 401),
// and errors turned into ApiError with the API's {code, message}.

const KEY = 'rez-agent.api-key';

/** An answer other than 2xx: the HTTP status and the API's error code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let asking = null;

/** Opens the key dialog (once, however many requests are waiting) and stores the key. */
function askForKey(refused) {
  asking ??= new Promise((resolve) => {
    const dialog = document.getElementById('key-dialog');
    const form = document.getElementById('key-form');
    const input = document.getElementById('key-input');
    const error = document.getElementById('key-error');
    error.hidden = !refused;
    error.textContent = refused ? 'That key was refused; try again.' : '';
    input.value = '';
    const onCancel = (event) => event.preventDefault();
    const onSubmit = (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (!key) return;
      sessionStorage.setItem(KEY, key);
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('cancel', onCancel);
      dialog.close();
      asking = null;
      resolve();
    };
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    input.focus();
  });
  return asking;
}

/**
 * Calls the API. `body` is sent as JSON; `text: true` returns the body as
 * text (the graph SVG). Throws ApiError on a non-2xx answer.
 */
export async function api(path, {method = 'GET', body, text = false, accept} = {}) {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const key = sessionStorage.getItem(KEY);
    const headers = {accept: accept ?? (text ? '*/*' : 'application/json')};
    if (key) headers.authorization = `Bearer ${key}`;
    // Every state-changing request declares JSON, even without a body:
    // rez-agent refuses those that do not (no cross-site form can declare it).
    if (body !== undefined || method !== 'GET') headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      // Another request may have stored a new key meanwhile: retry with it.
      if (sessionStorage.getItem(KEY) === key) await askForKey(Boolean(key));
      continue;
    }
    if (!response.ok) {
      let code = `http_${response.status}`;
      let message = response.statusText || `HTTP ${response.status}`;
      try {
        const error = (await response.json()).error;
        if (error?.code) code = error.code;
        if (error?.message) message = error.message;
      } catch {
        // Not the API's error shape; keep the status line.
      }
      throw new ApiError(response.status, code, message);
    }
    if (text) return response.text();
    return response.status === 204 ? null : response.json();
  }
  throw new ApiError(401, 'unauthorized', 'no accepted API key');
}

/** Builds "path?a=1&b=2" from the non-empty entries of `params`. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') query.set(name, value);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
