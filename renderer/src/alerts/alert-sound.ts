/**
 * A short tone through Web Audio, so no sound file has to be shipped or allowed by the CSP.
 * Urgent alerts get two rising tones. Browsers may refuse to play before the person has
 * interacted with the page; then the banner is silent, never broken.
 */
export function playAlertSound(urgent: boolean): void {
  const AudioContextClass = typeof window.AudioContext === 'function' ? window.AudioContext : null;
  if (!AudioContextClass) return;
  try {
    const context = new AudioContextClass();
    const tones = urgent ? [660, 880] : [660];
    tones.forEach((frequency, index) => {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      const start = context.currentTime + index * 0.22;
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.2);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.21);
    });
    setTimeout(() => void context.close().catch(() => undefined), 1_000);
  } catch {
    // No audio device, or autoplay refused: the banner itself still shows.
  }
}
