// Client portal enhancements: screenshots pasted into text boxes, the list of chosen
// files, and the signature pad. Every form still works without this file.
(() => {
  "use strict";

  // --- files: list what is chosen, and add pasted images to the file input -------
  function showFiles(input) {
    const list = input.form && input.form.querySelector(`[data-files-for="${input.name}"]`);
    if (!list) return;
    list.replaceChildren();
    for (const file of input.files) {
      const item = document.createElement("li");
      item.textContent = `${file.name} (${Math.max(1, Math.round(file.size / 1024))} KB)`;
      list.append(item);
    }
  }

  function addFiles(input, files) {
    const merged = new DataTransfer();
    for (const file of input.files) merged.items.add(file);
    for (const file of files) merged.items.add(file);
    input.files = merged.files;
    showFiles(input);
  }

  function pastedImages(event) {
    const items = event.clipboardData ? Array.from(event.clipboardData.items) : [];
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    return items
      .filter((item) => item.kind === "file" && item.type.startsWith("image/"))
      .map((item, index) => {
        const blob = item.getAsFile();
        const ext = item.type.split("/")[1] === "jpeg" ? "jpg" : item.type.split("/")[1];
        return new File([blob], `screenshot-${stamp}-${index + 1}.${ext}`, { type: item.type });
      });
  }

  function setUpFiles(root) {
    for (const input of root.querySelectorAll("input[type=file]")) {
      input.addEventListener("change", () => showFiles(input));
    }
    for (const area of root.querySelectorAll("[data-paste-target]")) {
      area.addEventListener("paste", (event) => {
        const input = area.form && area.form.querySelector(`input[type=file][name="${area.dataset.pasteTarget}"]`);
        const images = pastedImages(event);
        if (!input || images.length === 0 || typeof DataTransfer === "undefined") return;
        event.preventDefault();
        addFiles(input, images);
      });
    }
  }

  // --- signature pad ----------------------------------------------------------------
  function setUpPad(pad) {
    const canvas = pad.querySelector("canvas");
    const field = pad.querySelector("[data-signature-value]");
    const state = pad.querySelector("[data-signature-state]");
    const clear = pad.querySelector("[data-signature-clear]");
    const context = canvas.getContext("2d");
    let drawing = false;
    let drawn = false;
    let last = null;

    function style() {
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
    }

    function point(clientX, clientY) {
      const box = canvas.getBoundingClientRect();
      return {
        x: ((clientX - box.left) * canvas.width) / box.width,
        y: ((clientY - box.top) * canvas.height) / box.height,
      };
    }

    function begin(clientX, clientY) {
      drawing = true;
      last = point(clientX, clientY);
      context.beginPath();
      context.arc(last.x, last.y, 1.2, 0, 2 * Math.PI);
      context.fillStyle = "#111";
      context.fill();
      drawn = true;
    }

    function move(clientX, clientY) {
      if (!drawing) return;
      const next = point(clientX, clientY);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(next.x, next.y);
      context.stroke();
      last = next;
    }

    function end() {
      if (!drawing) return;
      drawing = false;
      if (drawn) {
        field.value = canvas.toDataURL("image/png");
        state.textContent = pad.dataset.signedLabel || "";
      }
    }

    style();

    if (window.PointerEvent) {
      canvas.addEventListener("pointerdown", (event) => {
        event.preventDefault();
        canvas.setPointerCapture(event.pointerId);
        begin(event.clientX, event.clientY);
      });
      canvas.addEventListener("pointermove", (event) => move(event.clientX, event.clientY));
      canvas.addEventListener("pointerup", end);
      canvas.addEventListener("pointercancel", end);
    } else {
      canvas.addEventListener("mousedown", (event) => begin(event.clientX, event.clientY));
      canvas.addEventListener("mousemove", (event) => move(event.clientX, event.clientY));
      window.addEventListener("mouseup", end);
      canvas.addEventListener("touchstart", (event) => {
        event.preventDefault();
        begin(event.touches[0].clientX, event.touches[0].clientY);
      }, { passive: false });
      canvas.addEventListener("touchmove", (event) => {
        event.preventDefault();
        move(event.touches[0].clientX, event.touches[0].clientY);
      }, { passive: false });
      canvas.addEventListener("touchend", end);
    }

    clear.addEventListener("click", () => {
      context.clearRect(0, 0, canvas.width, canvas.height);
      field.value = "";
      drawn = false;
      state.textContent = pad.dataset.unsignedLabel || "";
    });

    // A form shown again after an error keeps the signature already drawn.
    if (field.value.startsWith("data:image/png;base64,")) {
      const image = new Image();
      image.addEventListener("load", () => context.drawImage(image, 0, 0, canvas.width, canvas.height));
      image.src = field.value;
      drawn = true;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    setUpFiles(document);
    for (const pad of document.querySelectorAll("[data-signature-pad]")) setUpPad(pad);
  });
})();
