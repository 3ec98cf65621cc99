// The program builder (a program's draft or a template): reorder by dragging the ⠿ handle (mouse,
// pen or finger) or with Alt+↑ / Alt+↓ on a focused item. Either way the list's whole order goes
// to the server in one POST (the hidden "item" inputs, in their new order, belong to the list's
// #item-order form) and the server's list is swapped back in. Without JavaScript the ↑/↓ buttons
// move an item one place. Our own few lines rather than a drag library: the CSP allows no inline
// style, and the libraries style the dragged copy through style attributes; here the row itself
// moves through the list and only a class marks it.
(() => {
  let focusAfterSwap = null;
  let dragging = null;

  const saveOrder = (row) => {
    const form = document.getElementById("item-order");
    if (!form) return;
    focusAfterSwap = row.dataset.item;
    htmx.trigger(form, "reorder");
  };
  const order = (list) => [...list.children].map((row) => row.dataset.item).join();

  document.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest("[data-sortable] [data-drag-handle]");
    if (!handle || event.button !== 0) return;
    const row = handle.closest("[data-item]");
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    dragging = { row, list: row.parentElement, before: order(row.parentElement) };
    row.classList.add("is-dragging");
  });

  document.addEventListener("pointermove", (event) => {
    if (!dragging) return;
    const { row, list } = dragging;
    const over = [...list.children].find((other) => {
      if (other === row) return false;
      const box = other.getBoundingClientRect();
      return event.clientY >= box.top && event.clientY <= box.bottom;
    });
    if (!over) return;
    const box = over.getBoundingClientRect();
    const above = row.compareDocumentPosition(over) & Node.DOCUMENT_POSITION_PRECEDING;
    // Past the middle of the row it is over, the dragged row takes that row's place.
    if (above && event.clientY < box.top + box.height / 2) over.before(row);
    else if (!above && event.clientY > box.top + box.height / 2) over.after(row);
  });

  const drop = () => {
    if (!dragging) return;
    const { row, list, before } = dragging;
    dragging = null;
    row.classList.remove("is-dragging");
    if (order(list) !== before) saveOrder(row);
  };
  document.addEventListener("pointerup", drop);
  document.addEventListener("pointercancel", drop);

  document.addEventListener("keydown", (event) => {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    const row = event.target.closest?.("[data-sortable] > [data-item]");
    if (!row) return;
    event.preventDefault();
    const neighbour = event.key === "ArrowUp" ? row.previousElementSibling : row.nextElementSibling;
    if (!neighbour) return;
    if (event.key === "ArrowUp") neighbour.before(row); else neighbour.after(row);
    event.target.focus();
    saveOrder(row);
  });

  // After the list comes back, the moved item keeps the focus (its handle), so Alt+arrow repeats.
  document.addEventListener("htmx:afterSettle", () => {
    if (!focusAfterSwap) return;
    const handle = document.querySelector(`[data-item="${CSS.escape(focusAfterSwap)}"] [data-drag-handle]`);
    focusAfterSwap = null;
    if (handle && !dragging) handle.focus();
  });
})();
