// Scan-in without reloading: the scanner types the code and Enter, the result is read out (aria-live),
// a short tone says ok or problem, and the field is cleared for the next document. Without this
// script the form posts and the page comes back with the same result.
(() => {
  const form = document.getElementById('scan-form');
  const field = document.getElementById('code');
  const result = document.getElementById('scan-result');
  const list = document.getElementById('scan-list');
  const none = document.getElementById('scan-none');
  if (!form || !field || !result || !list) return;
  let audio = null;

  // A high short tone for a recorded document, a low longer one for anything to look at.
  const beep = (ok) => {
    try {
      audio = audio || new AudioContext();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = ok ? 880 : 220;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + (ok ? 0.12 : 0.4));
    } catch {
      // No audio (policy, device): the text result is what counts.
    }
  };

  const show = (answer) => {
    const alert = document.createElement('div');
    alert.className = `kern-alert kern-alert--${answer.alert}`;
    alert.dataset.outcome = answer.outcome;
    const header = document.createElement('div');
    header.className = 'kern-alert__header';
    const title = document.createElement('span');
    title.className = 'kern-title';
    title.textContent = answer.message;
    header.append(title);
    alert.append(header);
    result.replaceChildren(alert);
    const item = document.createElement('li');
    item.dataset.outcome = answer.outcome;
    item.textContent = answer.message;
    list.prepend(item);
    if (none) none.hidden = true;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = new URLSearchParams(new FormData(form));
    try {
      const res = await fetch(form.action, { method: 'POST', body, headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.headers.get('content-type')?.includes('application/json')) return form.submit();
      const answer = await res.json();
      show(answer);
      beep(answer.outcome === 'ready');
    } catch {
      return form.submit();
    }
    field.value = '';
    field.focus();
  });
})();
