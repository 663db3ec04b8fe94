/* Kiosk skip logic: survey/questionnaire/relevance.py's `_eval`, rule for rule, on the parsed
   expression trees the server ships (survey/kiosk/definition.py), so nothing is parsed here.
   An unanswered item is null: it equals '' and makes every ordering comparison false.
   tests/browser/test_kiosk_relevance.py checks it against the Python evaluator. */
window.KioskRelevance = (function () {
  "use strict";

  function truthy(value) {
    if (typeof value === "boolean") { return value; }
    if (typeof value === "string" || Array.isArray(value)) { return value.length > 0; }
    return value !== null && value !== undefined;
  }

  function asNumber(value) {
    if (typeof value === "number") { return value; }
    if (typeof value === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) { return parseFloat(value); }
    return null;
  }

  function asText(value) {
    if (value === null || value === undefined) { return ""; }
    if (Array.isArray(value)) { return value.map(asText).join(" "); }
    return String(value);
  }

  function compare(op, left, right) {
    var a = asNumber(left), b = asNumber(right);
    if (op === "==" || op === "!=") {
      var same = a !== null && b !== null ? a === b : asText(left) === asText(right);
      return op === "==" ? same : !same;
    }
    if (a === null || b === null) { return false; }
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op];
  }

  function selection(value) {
    if (value === null || value === undefined || value === "") { return []; }
    if (Array.isArray(value)) { return value.map(asText); }
    return asText(value).split(/\s+/).filter(Boolean);
  }

  function evaluate(node, answers) {
    var kind = node[0];
    if (kind === "lit") { return node[1]; }
    if (kind === "ref") { return node[1] in answers ? answers[node[1]] : null; }
    if (kind === "not") { return !truthy(evaluate(node[1], answers)); }
    if (kind === "and") { return node.slice(1).every(function (t) { return truthy(evaluate(t, answers)); }); }
    if (kind === "or") { return node.slice(1).some(function (t) { return truthy(evaluate(t, answers)); }); }
    if (kind === "call") {
      var subject = evaluate(node[2], answers);
      if (node[1] === "selected") { return selection(subject).indexOf(asText(evaluate(node[3], answers))) >= 0; }
      if (node[1] === "count_selected") { return selection(subject).length; }
      return truthy(subject);
    }
    return compare(kind, evaluate(node[1], answers), evaluate(node[2], answers));
  }

  function relevant(tree, seen) { return !tree || truthy(evaluate(tree, seen)); }

  return {evaluate: evaluate, relevant: relevant};
}());
