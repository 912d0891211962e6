// Desktop notifications and an optional beep for offers and alerts. The browser asks for
// the notification permission only on a click (a user gesture); the beep is made with
// WebAudio (no sound file). Both choices are remembered in localStorage.
const SOUND = "aiguillage-sound";
let audio = null;

export const notificationsAllowed = () =>
  "Notification" in window && Notification.permission === "granted";
export const soundOn = () => localStorage.getItem(SOUND) === "on";

/** On a click: ask for the notification permission (once) and switch the sound. */
export async function enable(sound) {
  if ("Notification" in window && Notification.permission === "default") {
    await Notification.requestPermission().catch(() => "denied");
  }
  localStorage.setItem(SOUND, sound ? "on" : "off");
  if (sound) {
    audio ??= new AudioContext();  // created in the gesture: allowed to play later
    await audio.resume().catch(() => null);
  }
}

function beep() {
  if (!soundOn()) return;
  audio ??= new AudioContext();
  if (audio.state !== "running") return;  // no gesture yet in this tab
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.frequency.value = 880;
  gain.gain.setValueAtTime(0.0001, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.35);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start();
  oscillator.stop(audio.currentTime + 0.4);
}

/** Tell the user: a desktop notification when the tab is hidden, a beep if wanted. */
export function notify(title, body, onClick) {
  beep();
  if (!notificationsAllowed() || (!document.hidden && document.hasFocus())) return;
  const note = new Notification(title, {body, tag: title});
  note.addEventListener("click", () => { window.focus(); onClick?.(); note.close(); });
}
