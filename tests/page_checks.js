// Measures what axe and the Nu checker do not see, on the page state the tab shows.
// tests/quality.py runs it: task "controls" (edges, target sizes, focus, error cues),
// "narrow" (the same and reflow, at 320 CSS px) and "spacing" (with the 1.4.12
// overrides applied).
// Returns {check: {items: number examined, findings: [one line each]}}.
(task) => {
  const TOLERANCE = 0.5;
  const results = {};
  const record = (check) => (results[check] ??= { items: 0, findings: [] });

  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += `#${el.id}`;
    else if (el.classList.length) name += `.${[...el.classList].join(".")}`;
    if (el.type && el.tagName === "INPUT") name += `[type=${el.type}]`;
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
    return text ? `${name} "${text.slice(0, 40).replace(/\s+/g, " ")}"` : name;
  };

  // Colours as the browser computed them: rgb(r, g, b) or rgba(r, g, b, a).
  const parse = (value) => {
    const match = /rgba?\(([^)]+)\)/.exec(value || "");
    if (!match) return null;
    const [r, g, b, a = 1] = match[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const WHITE = { r: 255, g: 255, b: 255, a: 1 };
  const over = (top, bottom) => {
    const a = top.a + bottom.a * (1 - top.a);
    if (a === 0) return { r: 0, g: 0, b: 0, a: 0 };
    const mix = (t, b) => (t * top.a + b * bottom.a * (1 - top.a)) / a;
    return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a };
  };
  const luminance = ({ r, g, b }) => {
    const linear = (v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  const contrast = (x, y) => {
    const [light, dark] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return (light + 0.05) / (dark + 0.05);
  };
  // What lies behind an element: its ancestors' background colours, composited down to
  // the nearest opaque one (the white canvas when none is).
  const backdrop = (el) => {
    const layers = [];
    for (let node = el.parentElement; node; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour.a > 0) {
        layers.push(colour);
        if (colour.a >= 1) break;
      }
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), WHITE);
  };

  // Rendered, and not the 1 px box of visually hidden text.
  const clippedAway = (el) => {
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      const box = node.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) return true;
    }
    return false;
  };
  const shown = (el) =>
    el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) && !clippedAway(el);

  const CONTROLS = "input:not([type=hidden]), select, textarea, button";
  const INTERACTIVE =
    "a[href], area[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]";

  // 1.4.11: the edge of each control (its border, or its fill where it has no border
  // all round) against what lies behind it. Links drawn as boxes count as controls.
  const controlEdges = () => {
    const check = record("control-contrast");
    const boxedLinks = [...document.querySelectorAll("a[href]")].filter((a) => {
      const style = getComputedStyle(a);
      return (parse(style.backgroundColor)?.a || 0) > 0 || parseFloat(style.borderTopWidth) > 0;
    });
    for (const el of [...document.querySelectorAll(CONTROLS), ...boxedLinks]) {
      if (!shown(el) || el.disabled) continue;
      check.items += 1;
      const style = getComputedStyle(el);
      if (el.matches("input[type=checkbox], input[type=radio], select") && style.appearance !== "none") {
        check.findings.push(`${describe(el)}: drawn by the browser (appearance ${style.appearance}), its edge cannot be measured`);
        continue;
      }
      const outside = backdrop(el);
      const fill = over(parse(style.backgroundColor) || { r: 0, g: 0, b: 0, a: 0 }, outside);
      let border = Infinity;
      for (const side of ["Top", "Right", "Bottom", "Left"]) {
        const width = parseFloat(style[`border${side}Width`]);
        const line = style[`border${side}Style`];
        const colour = parse(style[`border${side}Color`]);
        if (!width || line === "none" || line === "hidden" || !colour) {
          border = 0;
          break;
        }
        border = Math.min(border, contrast(over(colour, fill), outside));
      }
      const edge = Math.max(border, contrast(fill, outside));
      if (edge + 1e-9 < 3) {
        check.findings.push(`${describe(el)}: edge ${edge.toFixed(2)}:1 against its background`);
      }
    }
  };

  // 2.5.8 Target Size (Minimum), WCAG 2.2: 24 x 24 CSS px for every target but links
  // inside a sentence (display inline); a checkbox or radio must also sit in its label.
  const targetSizes = () => {
    const check = record("target-size");
    for (const el of document.querySelectorAll(INTERACTIVE)) {
      if (!shown(el) || (el.matches("[tabindex]") && el.tabIndex < 0 && !el.matches(CONTROLS))) continue;
      if (el.matches("a") && getComputedStyle(el).display === "inline") continue;
      check.items += 1;
      const box = el.getBoundingClientRect();
      if (box.width + TOLERANCE < 24 || box.height + TOLERANCE < 24) {
        check.findings.push(`${describe(el)}: ${box.width.toFixed(1)} x ${box.height.toFixed(1)} px`);
      }
      if (el.matches("input[type=checkbox], input[type=radio]") && !el.closest("label")) {
        check.findings.push(`${describe(el)}: not inside its label, so the label is not part of the target`);
      }
    }
  };

  // 2.4.7: every Tab stop looks different focused and unfocused, and the change (an
  // outline, a ring, a fill or a border) has 3:1 against what it is seen against.
  const focusVisible = () => {
    const check = record("focus-visible");
    const selector =
      "a[href], area[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), " +
      "select:not([disabled]), textarea:not([disabled]), summary, iframe, [tabindex], [contenteditable]";
    const stops = [...document.querySelectorAll(selector)].filter(
      (el) => el.tabIndex >= 0 && el.checkVisibility({ visibilityProperty: true }),
    );
    // Boxes that scroll take the focus themselves in Chromium.
    for (const el of document.querySelectorAll("body *")) {
      const style = getComputedStyle(el);
      const scrolls =
        (/(auto|scroll)/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1) ||
        (/(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 1);
      if (scrolls && !stops.includes(el) && !["TEXTAREA", "SELECT"].includes(el.tagName)) stops.push(el);
    }
    const look = (el) => {
      const style = getComputedStyle(el);
      const outlineColour = parse(style.outlineColor);
      const outline =
        style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 && outlineColour?.a > 0;
      return {
        outline: outline ? `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` : "none",
        outlineColour,
        shadow: style.boxShadow,
        background: style.backgroundColor,
        colour: style.color,
        border: ["Top", "Right", "Bottom", "Left"].map((s) => `${style[`border${s}Width`]} ${style[`border${s}Color`]}`).join(),
        borderColour: parse(style.borderTopColor),
        decoration: `${style.textDecorationLine} ${style.textDecorationThickness} ${style.textDecorationColor}`,
      };
    };
    document.activeElement?.blur();
    const before = stops.map(look);
    stops.forEach((el, i) => {
      check.items += 1;
      el.focus({ focusVisible: true, preventScroll: true });
      if (document.activeElement !== el) {
        check.findings.push(`${describe(el)}: does not take the focus`);
        return;
      }
      const after = look(el);
      const was = before[i];
      const outside = backdrop(el);
      const own = over(parse(was.background) || { r: 0, g: 0, b: 0, a: 0 }, outside);
      const seen = [];
      if (after.outline !== was.outline && after.outline !== "none") {
        seen.push(contrast(over(after.outlineColour, outside), outside));
      }
      if (after.shadow !== was.shadow && after.shadow !== "none") {
        for (const colour of after.shadow.match(/rgba?\([^)]+\)/g) || []) {
          seen.push(contrast(over(parse(colour), outside), outside));
        }
      }
      if (after.background !== was.background) {
        seen.push(contrast(over(parse(after.background), outside), own));
      }
      if (after.border !== was.border && after.borderColour) {
        seen.push(contrast(over(after.borderColour, own), own));
      }
      if (after.decoration !== was.decoration || after.colour !== was.colour) seen.push(1);
      el.blur();
      if (!seen.length) {
        check.findings.push(`${describe(el)}: looks the same focused and unfocused`);
      } else if (Math.max(...seen) + 1e-9 < 3) {
        check.findings.push(
          `${describe(el)}: the focus indicator has only ${Math.max(...seen).toFixed(2)}:1 against its background`,
        );
      }
    });
  };

  // 1.4.1 Use of Color and 3.3.1: each control marked invalid is described by a visible
  // error that says it in words and carries an icon, not by its red edge alone.
  const errorCues = () => {
    const check = record("error-cues");
    for (const el of document.querySelectorAll('[aria-invalid="true"]')) {
      if (!shown(el)) continue;
      check.items += 1;
      const owners = [el, el.closest("fieldset")].filter(Boolean);
      const ids = owners.flatMap((owner) => (owner.getAttribute("aria-describedby") || "").split(/\s+/));
      const described = ids.map((id) => id && document.getElementById(id)).filter(Boolean);
      const cue = described.find((node) => {
        if (!shown(node) || !node.innerText.trim()) return false;
        return [node, ...node.querySelectorAll("*")].some((part) => {
          if (part.matches("svg, img")) return true;
          const icon = getComputedStyle(part, "::before");
          return icon.content !== "none" && (icon.maskImage !== "none" || icon.backgroundImage !== "none");
        });
      });
      if (!cue) check.findings.push(`${describe(el)}: no visible error with an icon and text describes it`);
    }
  };

  // 1.4.10 Reflow: nothing wider than the viewport (a box that scrolls by itself, such
  // as a wide table's, may be), and the reference number on one line.
  const reflow = () => {
    const check = record("reflow");
    const width = document.documentElement.clientWidth;
    check.items += 1;
    const scrollsByItself = (el) => {
      for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
        if (/(auto|scroll)/.test(getComputedStyle(node).overflowX)) return true;
      }
      return false;
    };
    const beyond = (el) => {
      const box = el.getBoundingClientRect();
      return box.width > 0 && (box.right > width + TOLERANCE || box.left < -TOLERANCE);
    };
    const culprits = [...document.querySelectorAll("body *")].filter(
      (el) => beyond(el) && !(el.parentElement && el.parentElement !== document.body && beyond(el.parentElement)) && !scrollsByItself(el) && !clippedAway(el),
    );
    if (document.documentElement.scrollWidth > width || culprits.length) {
      check.findings.push(
        `the page is ${document.documentElement.scrollWidth} px wide at ${width} px: ` +
          (culprits.slice(0, 5).map(describe).join(", ") || "no single element"),
      );
    }
    for (const el of document.querySelectorAll(".reference")) {
      const range = document.createRange();
      range.selectNodeContents(el);
      const lines = new Set([...range.getClientRects()].map((box) => Math.round(box.top)));
      if (lines.size > 1) check.findings.push(`${describe(el)}: the reference number breaks over ${lines.size} lines`);
    }
  };

  // 1.4.12 Text Spacing, with the overrides applied: no text cut off by a box that
  // hides its overflow, and no line of text drawn over another.
  const spacing = () => {
    const check = record("text-spacing");
    check.items += 1;
    for (const el of document.querySelectorAll("body *")) {
      if (el.matches("input, select, textarea, option, svg, svg *")) continue;
      const style = getComputedStyle(el);
      if (!/(hidden|clip)/.test(style.overflowX + style.overflowY)) continue;
      if (!shown(el)) continue;
      if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
        check.findings.push(`${describe(el)}: text cut off (${el.scrollWidth} x ${el.scrollHeight} in ${el.clientWidth} x ${el.clientHeight})`);
      }
    }
    const boxes = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => (node.data.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT),
    });
    let number = 0;
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const parent = node.parentElement;
      number += 1;
      if (!parent || parent.closest("select, textarea, script, style, noscript") || !shown(parent)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const box of range.getClientRects()) {
        if (box.width > TOLERANCE && box.height > TOLERANCE) boxes.push({ node: number, parent, box });
      }
    }
    boxes.sort((a, b) => a.box.top - b.box.top);
    for (let i = 0; i < boxes.length; i += 1) {
      const a = boxes[i];
      for (let j = i + 1; j < boxes.length && boxes[j].box.top < a.box.bottom - 1; j += 1) {
        const b = boxes[j];
        if (a.node === b.node) continue;
        const across = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
        const down = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
        if (across > 1 && down > 1) {
          check.findings.push(`text overlaps: ${describe(a.parent)} and ${describe(b.parent)}`);
        }
      }
    }
  };

  if (task === "controls") {
    controlEdges();
    targetSizes();
    focusVisible();
    errorCues();
  } else if (task === "narrow") {
    reflow();
    controlEdges();
    targetSizes();
    focusVisible();
    errorCues();
  } else if (task === "spacing") {
    spacing();
  } else {
    throw new Error(`unknown task ${task}`);
  }
  return results;
}
