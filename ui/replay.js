// The timeline of a replay: play (by the events' own times, at a chosen speed), pause, step one
// event either way, jump to the start, and scrub with the slider. The Timeline (from the
// model) does the work; this binds it to the footer's controls.
/* global document, requestAnimationFrame, performance */

export function setupReplay(timeline, show) {
  const footer = document.getElementById('timeline');
  footer.hidden = false;
  const scrub = document.getElementById('tl-scrub');
  const playButton = document.getElementById('tl-play');
  const pos = document.getElementById('tl-pos');
  scrub.max = String(timeline.length);
  let playing = false;
  let playTime = timeline.startTime;
  let lastFrame = 0;

  const update = () => {
    scrub.value = String(timeline.cursor);
    const elapsed = ((timeline.time - timeline.startTime) / 1000).toFixed(3);
    pos.textContent = `event ${timeline.cursor} / ${timeline.length} · +${elapsed} s`;
    playButton.textContent = playing ? '❚❚ pause' : '▶ play';
    show(timeline.model);
  };
  const pause = () => {
    playing = false;
    update();
  };
  const frame = (now) => {
    if (!playing) return;
    const speed = Number(document.getElementById('tl-speed').value);
    playTime += (now - lastFrame) * speed;
    lastFrame = now;
    timeline.playTo(playTime);
    if (timeline.cursor >= timeline.length) pause();
    else requestAnimationFrame(frame);
    update();
  };

  playButton.onclick = () => {
    if (playing) return pause();
    if (timeline.cursor >= timeline.length) timeline.seek(0);
    playing = true;
    playTime = timeline.time;
    lastFrame = performance.now();
    requestAnimationFrame(frame);
    update();
  };
  document.getElementById('tl-step').onclick = () => {
    pause();
    timeline.step(1);
    update();
  };
  document.getElementById('tl-back').onclick = () => {
    pause();
    timeline.step(-1);
    update();
  };
  document.getElementById('tl-start').onclick = () => {
    pause();
    timeline.seek(0);
    update();
  };
  scrub.oninput = () => {
    playing = false;
    timeline.seek(Number(scrub.value));
    update();
  };
  update();
}
