// A small, safe markdown renderer for RaceHub replies: builds DOM nodes, never parses HTML.
// Paragraphs, lists, tables, fenced code, **bold**, *italic*, `code`, [links](http...), backslash
// escapes, and RaceHub's one HTML form: <details><summary>SQL</summary> ... </details>.
"use strict";

(function () {
  const PUNCT = "\\`*_{}[]()#+-.!|<>~&";
  const DETAILS_OPEN = /^<details><summary>([^<]*)<\/summary>\s*$/;
  const DETAILS_CLOSE = /^<\/details>\s*$/;
  const FENCE = /^(`{3,})\s*([\w-]*)\s*$/;
  const TABLE_RULE = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

  function el(tag, className) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    return node;
  }

  function safeHref(url) {
    if (/^https?:\/\//i.test(url)) return url;
    if (/^\/(?!\/)/.test(url)) return url;
    return null;
  }

  // The index of the next unescaped `marker` at or after `from`, or -1.
  function findClose(text, marker, from) {
    for (let i = from; i < text.length; i++) {
      if (text[i] === "\\") { i++; continue; }
      if (text.startsWith(marker, i)) return i;
    }
    return -1;
  }

  function inline(text, parent) {
    let buffer = "";
    const flush = () => {
      if (buffer) parent.appendChild(document.createTextNode(buffer));
      buffer = "";
    };
    let i = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === "\\" && i + 1 < text.length && PUNCT.includes(text[i + 1])) {
        buffer += text[i + 1];
        i += 2;
        continue;
      }
      if (c === "`") {
        const end = text.indexOf("`", i + 1);
        if (end > i) {
          flush();
          const code = el("code");
          code.textContent = text.slice(i + 1, end);
          parent.appendChild(code);
          i = end + 1;
          continue;
        }
      }
      if (c === "*" && text[i + 1] === "*") {
        const end = findClose(text, "**", i + 2);
        if (end > i + 2) {
          flush();
          const strong = el("strong");
          inline(text.slice(i + 2, end), strong);
          parent.appendChild(strong);
          i = end + 2;
          continue;
        }
      }
      if ((c === "*" || c === "_") && text[i + 1] && text[i + 1] !== " " &&
          (c === "*" || i === 0 || !/[A-Za-z0-9]/.test(text[i - 1]))) {
        const end = findClose(text, c, i + 1);
        if (end > i + 1 && text[end - 1] !== " " && (c === "*" || !/[A-Za-z0-9]/.test(text[end + 1] || ""))) {
          flush();
          const em = el("em");
          inline(text.slice(i + 1, end), em);
          parent.appendChild(em);
          i = end + 1;
          continue;
        }
      }
      if (c === "!" && text[i + 1] === "[") {
        // A chart RaceHub made: an SVG among its own signed files, shown as an image (SVG in <img>
        // runs no script). Any other image stays text.
        const close = findClose(text, "]", i + 2);
        if (close > i && text[close + 1] === "(") {
          const end = text.indexOf(")", close + 2);
          const href = end > close ? safeHref(text.slice(close + 2, end).trim()) : null;
          const target = href ? new URL(href, window.location.href) : null;
          if (target && target.origin === window.location.origin && target.pathname.startsWith("/v1/files/") &&
              target.pathname.endsWith(".svg")) {
            flush();
            const img = el("img", "chart");
            img.src = href;
            img.alt = text.slice(i + 2, close).replace(/\\(.)/g, "$1");
            img.loading = "lazy";
            parent.appendChild(img);
            i = end + 1;
            continue;
          }
        }
      }
      if (c === "[") {
        const close = findClose(text, "]", i + 1);
        if (close > i && text[close + 1] === "(") {
          const end = text.indexOf(")", close + 2);
          const href = end > close ? safeHref(text.slice(close + 2, end).trim()) : null;
          if (href) {
            flush();
            const link = el("a");
            link.href = href;
            link.rel = "noopener noreferrer";
            const target = new URL(href, window.location.href);
            if (target.origin === window.location.origin && target.pathname.startsWith("/v1/files/")) {
              link.setAttribute("download", decodeURIComponent(target.pathname.split("/").pop() || "file"));
              link.className = "file-link";
            } else if (target.origin === window.location.origin && target.pathname === "/" && target.hash) {
              link.href = target.hash;  // a view of this page (the live results): opened here
            } else {
              link.target = "_blank";
            }
            inline(text.slice(i + 1, close), link);
            parent.appendChild(link);
            i = end + 1;
            continue;
          }
        }
      }
      buffer += c;
      i++;
    }
    flush();
  }

  function splitRow(line) {
    let row = line.trim();
    if (row.startsWith("|")) row = row.slice(1);
    if (row.endsWith("|") && !row.endsWith("\\|")) row = row.slice(0, -1);
    const cells = [];
    let current = "";
    for (let i = 0; i < row.length; i++) {
      if (row[i] === "\\" && i + 1 < row.length) { current += row[i] + row[i + 1]; i++; continue; }
      if (row[i] === "|") { cells.push(current.trim()); current = ""; continue; }
      current += row[i];
    }
    cells.push(current.trim());
    return cells;
  }

  function table(lines) {
    const wrap = el("div", "table-wrap");
    const tableEl = el("table");
    const head = el("thead");
    const headRow = el("tr");
    for (const cell of splitRow(lines[0])) {
      const th = el("th");
      inline(cell, th);
      headRow.appendChild(th);
    }
    head.appendChild(headRow);
    tableEl.appendChild(head);
    const body = el("tbody");
    for (const line of lines.slice(2)) {
      const tr = el("tr");
      for (const cell of splitRow(line)) {
        const td = el("td");
        inline(cell, td);
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    tableEl.appendChild(body);
    wrap.appendChild(tableEl);
    return wrap;
  }

  function blocks(lines, parent) {
    let i = 0;
    let paragraph = [];
    const endParagraph = () => {
      if (!paragraph.length) return;
      const p = el("p");
      paragraph.forEach((line, n) => {
        if (n) p.appendChild(el("br"));
        inline(line, p);
      });
      parent.appendChild(p);
      paragraph = [];
    };
    while (i < lines.length) {
      const line = lines[i];
      const details = DETAILS_OPEN.exec(line.trim());
      if (details) {
        endParagraph();
        let depth = 1;
        let j = i + 1;
        for (; j < lines.length; j++) {
          if (DETAILS_OPEN.test(lines[j].trim())) depth++;
          if (DETAILS_CLOSE.test(lines[j].trim()) && --depth === 0) break;
        }
        const box = el("details");
        const summary = el("summary");
        summary.textContent = details[1];
        box.appendChild(summary);
        blocks(lines.slice(i + 1, j), box);
        parent.appendChild(box);
        i = j + 1;
        continue;
      }
      const fence = FENCE.exec(line);
      if (fence) {
        endParagraph();
        let j = i + 1;
        while (j < lines.length && lines[j].trim() !== fence[1]) j++;
        const pre = el("pre");
        const code = el("code");
        if (fence[2]) code.className = "language-" + fence[2];
        code.textContent = lines.slice(i + 1, j).join("\n");
        pre.appendChild(code);
        parent.appendChild(pre);
        i = j + 1;
        continue;
      }
      if (line.trim().startsWith("|") && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1])) {
        endParagraph();
        let j = i + 2;
        while (j < lines.length && lines[j].trim().startsWith("|")) j++;
        parent.appendChild(table(lines.slice(i, j)));
        i = j;
        continue;
      }
      const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
      const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
      if (bullet || numbered) {
        endParagraph();
        const list = el(bullet ? "ul" : "ol");
        const pattern = bullet ? /^\s*[-*]\s+(.*)$/ : /^\s*\d+[.)]\s+(.*)$/;
        let j = i;
        for (let m; j < lines.length && (m = pattern.exec(lines[j])); j++) {
          const li = el("li");
          inline(m[1], li);
          list.appendChild(li);
        }
        parent.appendChild(list);
        i = j;
        continue;
      }
      const heading = /^(#{1,6})\s+(.*)$/.exec(line);
      if (heading) {
        endParagraph();
        const h = el("h" + Math.min(heading[1].length + 2, 6));
        inline(heading[2], h);
        parent.appendChild(h);
        i++;
        continue;
      }
      if (!line.trim()) endParagraph();
      else paragraph.push(line);
      i++;
    }
    endParagraph();
  }

  function render(text) {
    const fragment = document.createDocumentFragment();
    blocks(String(text).replace(/\r\n?/g, "\n").split("\n"), fragment);
    return fragment;
  }

  window.RaceHubMarkdown = { render };
})();
