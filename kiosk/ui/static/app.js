// Kiosk screen: renders the node's live view (WebSocket /ws) and posts small actions.
(function () {
  "use strict";
  var state = null, lang = "en", ws = null, doneTimer = null;
  var $ = function (id) { return document.getElementById(id); };
  var DENOMS = ["100", "50", "20", "10", "5", "1", "0.5"];

  function t(key) { var d = I18N[lang] || I18N.en; return d[key] || I18N.en[key] || key; }

  function translate() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-ph]").forEach(function (el) { el.placeholder = t(el.dataset.i18nPh); });
    var conn = document.getElementById("conn"); conn.textContent = t(conn.dataset.state || "connecting");
  }

  function toast(text) {
    var el = $("toast"); el.textContent = text; el.hidden = false;
    clearTimeout(toast.timer); toast.timer = setTimeout(function () { el.hidden = true; }, 4000);
  }

  function post(path, body) {
    return fetch("/api/" + path, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { toast(t("err_" + (data.code || "error")) || data.message); throw data; }
        render(data); return data;
      });
    });
  }

  function money(v) { return (state && state.currency === "CNY" ? "¥" : "") + v; }

  function name(item) { return lang === "zh-Hans" && item.name_zh ? item.name_zh : item.name; }

  function render(s) {
    state = s;
    if (s.language && s.language !== lang) { lang = s.language; translate(); }
    document.body.dataset.phase = s.phase;
    $("store-name").textContent = s.store_name;
    $("welcome").hidden = s.lines.length > 0;
    $("cart").hidden = s.lines.length === 0;
    var ul = $("lines"); ul.innerHTML = "";
    s.lines.forEach(function (ln) {
      var li = document.createElement("li");
      li.className = "line" + (ln.needs_bagging ? " unbagged" : "");
      li.dataset.lineId = ln.line_id;
      li.innerHTML = '<span class="name"></span><span class="qty"></span><span class="amount"></span>';
      li.querySelector(".name").textContent = name(ln) + (ln.needs_bagging ? " — " + t("bag_it") : "");
      li.querySelector(".qty").textContent = ln.weighed ? ln.qty + " kg" : "× " + ln.qty;
      li.querySelector(".amount").textContent = ln.amount === null ? "" : money(ln.amount);
      if (!ln.weighed) {
        [["−", Number(ln.qty) - 1, "minus"], ["+", Number(ln.qty) + 1, "plus"]].forEach(function (b) {
          var btn = document.createElement("button");
          btn.className = "step " + b[2]; btn.textContent = b[0];
          btn.onclick = function () { post("qty", { line_id: ln.line_id, qty: b[1] }); };
          li.appendChild(btn);
        });
      }
      var rm = document.createElement("button");
      rm.className = "step remove"; rm.textContent = "✕";
      rm.onclick = function () { post("remove", { line_id: ln.line_id }); };
      li.appendChild(rm);
      ul.appendChild(li);
    });
    $("gifts").textContent = s.gifts.map(name).join(", ");
    $("t-subtotal").textContent = money(s.totals.subtotal);
    $("t-discounts").textContent = "−" + money(s.totals.discount_total);
    $("t-points").textContent = "−" + money(s.totals.points_value);
    $("t-total").textContent = money(s.totals.total);
    $("member-line").textContent = s.member ? "★ " + (s.member.phone || s.member.card) + memberInfo(s.member_info) : "";
    $("suspend-code").textContent = s.suspend_code ? t("suspended_code") + " " + s.suspend_code : "";
    $("suspend-code").dataset.code = s.suspend_code || "";

    $("paying").hidden = s.phase !== "paying";
    $("due").textContent = money(s.totals.due);
    $("cash-in").textContent = money(s.totals.cash_in);
    var st = $("pay-status"), a = s.attempt;
    st.textContent = !a ? "" : a.status === "pending" ? t("pay_pending")
      : a.status === "approved" ? t("pay_approved") : t("pay_declined");
    st.dataset.status = a ? a.status : "";
    $("qr-box").hidden = !s.qr;
    if (s.qr) { $("qr-img").src = "/api/qr.svg?data=" + encodeURIComponent(s.qr); }

    $("receipt").hidden = !(s.phase === "receipt" || s.phase === "done");
    if (s.sale) {
      $("r-total").textContent = money(s.sale.total);
      $("r-change").textContent = money(s.sale.change);
      $("r-change-line").hidden = Number(s.sale.change) === 0;
      $("ereceipt-box").hidden = !s.sale.receipt_url;
      if (s.sale.receipt_url) {
        $("ereceipt-img").src = "/api/qr.svg?data=" + encodeURIComponent(s.sale.receipt_url);
      }
    }
    clearTimeout(doneTimer);
    if (s.phase === "done") { doneTimer = setTimeout(function () { post("new"); }, 8000); }

    $("intervention").hidden = !s.blocked;
    var reasons = $("reasons"); reasons.innerHTML = "";
    s.interventions.forEach(function (i) {
      var li = document.createElement("li");
      li.dataset.kind = i.kind;
      li.textContent = t("k_" + i.kind) + (i.detail ? " — " + i.detail : "");
      reasons.appendChild(li);
    });
    $("locked").hidden = s.phase !== "locked";
  }

  function memberInfo(m) {
    if (!m || m.online === undefined) { return ""; }
    if (!m.online) { return " · " + t("member_offline") + " " + m.redeem_cap; }
    return " · " + (t("tier_" + m.tier) || m.tier) + " · " + t("balance") + " " + m.balance;
  }

  function ask(label, then) {
    $("prompt-label").textContent = label; $("prompt-input").value = "";
    var dlg = $("prompt");
    dlg.onclose = function () { if (dlg.returnValue === "ok" && $("prompt-input").value) { then($("prompt-input").value); } };
    dlg.showModal();
  }

  function connect() {
    ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
    ws.onopen = function () { $("conn").textContent = t("online"); $("conn").dataset.state = "online"; };
    ws.onmessage = function (e) { render(JSON.parse(e.data)); };
    ws.onclose = function () {
      $("conn").textContent = t("offline"); $("conn").dataset.state = "offline";
      setTimeout(connect, 1000);
    };
  }

  function wire() {
    $("entry").onsubmit = function (e) {
      e.preventDefault();
      var code = $("code").value.trim(); if (!code) { return; }
      if (/^\d+$/.test(code)) { post("scan", { code: code }).then(function () { $("code").value = ""; }); return; }
      fetch("/api/search?q=" + encodeURIComponent(code)).then(function (r) { return r.json(); }).then(function (items) {
        var res = $("results"); res.innerHTML = "";
        items.forEach(function (p) {
          var li = document.createElement("li"), b = document.createElement("button");
          b.className = "result"; b.textContent = name(p) + "  " + money(p.price);
          b.onclick = function () { post("add", { sku: p.sku }); res.innerHTML = ""; $("code").value = ""; };
          li.appendChild(b); res.appendChild(li);
        });
      });
    };
    document.querySelectorAll("[data-lang]").forEach(function (b) {
      b.onclick = function () { lang = b.dataset.lang; translate(); post("language", { language: lang }); };
    });
    $("pay").onclick = function () { post("pay", { method: "cash" }); };
    $("pay-card").onclick = function () { post("pay", { method: "card" }); };
    $("pay-qr").onclick = function () { post("pay", { method: "qr" }); };
    $("pay-cash").onclick = function () { $("cash-box").hidden = false; };
    $("qr-paid").onclick = function () { post("qr/paid"); };
    $("back").onclick = function () { post("back"); };
    $("done").onclick = function () { post("finish").then(function () { post("new"); }); };
    $("reprint").onclick = function () { post("reprint"); };
    $("suspend").onclick = function () { post("suspend"); };
    $("resume-btn").onclick = function () { ask(t("resume_prompt"), function (v) { post("resume", { code: v }); }); };
    $("pickup-btn").onclick = function () {
      ask(t("pickup_prompt"), function (v) {
        post("pickup", { code: v.trim() }).then(function () { toast(t("pickup_done")); });
      });
    };
    $("coupon-btn").onclick = function () { ask(t("coupon_prompt"), function (v) { post("coupon", { code: v }); }); };
    $("member-btn").onclick = function () {
      ask(t("member_prompt"), function (v) { post("member", { kind: /^\+?\d+$/.test(v) ? "phone" : "card", value: v }); });
    };
    $("help").onclick = function () { toast(t("attendant_needed")); };
    DENOMS.forEach(function (d) {
      var b = document.createElement("button"); b.className = "note"; b.textContent = "¥" + d; b.dataset.value = d;
      b.onclick = function () { post("cash", { value: d }); };
      $("notes").appendChild(b);
    });
    var keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "C"];
    keys.forEach(function (k) {
      var b = document.createElement("button"); b.className = "key"; b.textContent = k;
      b.onclick = function () {
        var p = $("pin");
        p.value = k === "⌫" ? p.value.slice(0, -1) : k === "C" ? "" : p.value + k;
      };
      $("keypad").appendChild(b);
    });
    function clear(approve) {
      var pin = $("pin").value; $("pin").value = "";
      if (pin) { post("clear", { secret: pin, kind: "pin", approve: approve }); }
    }
    $("approve").onclick = function () { clear(true); };
    $("reject").onclick = function () { clear(false); };
  }

  translate(); wire(); connect();
})();
