// After-sale screens: attendant returns, invoice request, points. Talks only to the node.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var opened = null;

  function t(key) {
    var d = I18N[document.documentElement.lang] || I18N.en;
    return d[key] || I18N.en[key] || key;
  }

  function toast(text) {
    var el = $("toast"); el.textContent = text; el.hidden = false;
    setTimeout(function () { el.hidden = true; }, 4000);
  }

  function call(path, body) {
    return fetch("/api/" + path, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { toast(I18N.en["err_" + data.code] ? t("err_" + data.code) : data.message); throw data; }
        return data;
      });
    });
  }

  function picked() {
    var lines = [], damaged = [];
    document.querySelectorAll("#ret-lines tbody tr").forEach(function (tr) {
      var qty = tr.querySelector("input[type=number]").value || "0";
      if (Number(qty) > 0) { lines.push({ line_no: Number(tr.dataset.lineNo), qty: qty }); }
      if (tr.querySelector("input[type=checkbox]").checked) { damaged.push(Number(tr.dataset.lineNo)); }
    });
    return { lines: lines, damaged: damaged, reason: $("ret-reason").value };
  }

  function quote() {
    var body = picked();
    $("ret-confirm").disabled = body.lines.length === 0;
    if (!body.lines.length) { $("ret-total").textContent = "0.00"; $("ret-tenders").textContent = ""; return; }
    call("return/quote", body).then(function (q) {
      $("ret-total").textContent = q.total;
      $("ret-tenders").textContent = q.tenders.map(function (x) { return t(x.method) + " " + x.amount; }).join(" · ");
    }).catch(function () {});
  }

  function showSale(s) {
    opened = s;
    $("ret-sale").hidden = false; $("ret-done").hidden = true;
    $("ret-sale-id").textContent = s.sale_id; $("ret-sale-total").textContent = s.total;
    var body = document.querySelector("#ret-lines tbody"); body.innerHTML = "";
    s.lines.forEach(function (ln) {
      var tr = document.createElement("tr"); tr.dataset.lineNo = ln.line_no;
      tr.innerHTML = "<td class='n'></td><td class='left'></td><td><input type='number' min='0' step='1' value='0'></td>" +
        "<td><input type='checkbox'></td>";
      tr.querySelector(".n").textContent = ln.name + " (" + ln.unit_price + ")";
      tr.querySelector(".left").textContent = ln.left;
      var qty = tr.querySelector("input[type=number]");
      qty.max = ln.left; qty.disabled = Number(ln.left) <= 0;
      qty.onchange = quote; tr.querySelector("input[type=checkbox]").onchange = quote;
      body.appendChild(tr);
    });
    quote();
  }

  function wire() {
    $("return-btn").onclick = function () {
      $("returns").hidden = false; $("ret-sale").hidden = true; $("ret-done").hidden = true;
      $("ret-pin").value = ""; $("ret-receipt").value = ""; $("ret-pin").focus();
    };
    $("ret-close").onclick = function () { call("return/cancel").catch(function () {}); $("returns").hidden = true; };
    $("ret-start").onsubmit = function (e) {
      e.preventDefault();
      call("return/start", { secret: $("ret-pin").value, kind: "pin", receipt: $("ret-receipt").value.trim() })
        .then(showSale).catch(function () {});
    };
    $("ret-confirm").onclick = function () {
      call("return/confirm", picked()).then(function (ev) {
        $("ret-sale").hidden = true; $("ret-done").hidden = false;
        $("ret-done").textContent = t("ret_done") + " " + ev.refund_total + " — " +
          ev.refunds.map(function (r) { return t(r.method) + " " + r.amount; }).join(", ");
        opened = null;
      }).catch(function () {});
    };
    $("invoice-btn").onclick = function () { $("invoice-form").hidden = false; $("inv-name").focus(); };
    $("invoice-form").onsubmit = function (e) {
      e.preventDefault();
      call("invoice", { buyer_name: $("inv-name").value.trim(), tax_id: $("inv-tax").value.trim() })
        .then(function () { $("invoice-form").hidden = true; toast(t("invoice_sent")); }).catch(function () {});
    };
    $("points-btn").onclick = function () {
      var dlg = $("prompt");
      $("prompt-label").textContent = t("points_prompt"); $("prompt-input").value = "";
      dlg.onclose = function () {
        var v = $("prompt-input").value;
        if (dlg.returnValue === "ok" && v) { call("points", { points: Number(v) }).catch(function () {}); }
      };
      dlg.showModal();
    };
  }

  wire();
})();
