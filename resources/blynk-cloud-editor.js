/*
 * What the dialogs of the Blynk flow nodes share: input patterns, the validator of a typed
 * property, typedInput set-up and labels. Node-RED (1.3+) serves this folder to the editor as
 * resources/node-red-contrib-blynk-cloud/; each node's .html loads this file before its own script,
 * so that every node set works on its own, and the file defines itself only once.
 */
(function () {
    "use strict";

    if (window.BlynkCloudEditor) {
        return;
    }

    // The dialogs' styles (classes, not inline styles), once for all node sets.
    $("<link>", { rel: "stylesheet", type: "text/css", href: "resources/node-red-contrib-blynk-cloud/blynk-cloud-editor.css" }).appendTo("head");

    // A virtual pin V0 to V255, either case (as src/blynk/validate.ts checks it, after trimming).
    var PIN = "[vV](25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    var POSITIVE_INTEGER = /^[1-9]\d*$/;
    // Blynk event codes: letters, digits, spaces and underscores, at most 50 characters.
    var EVENT_CODE = /^[A-Za-z0-9 _]{1,50}$/;

    /** A field's value in the open dialog (checkboxes as booleans), else the node's saved one. */
    function current(node, field) {
        var $field = $("#node-input-" + field);
        if ($field.length && $field.attr("type") === "checkbox") {
            return $field.prop("checked");
        }
        var value = $field.val();
        return (value === undefined || value === null) ? node[field] : value;
    }

    /**
     * Node-RED (validateNodeProperty) takes a returned string as the error message only from a
     * validator declared with two parameters, `(v, opt)`; from any other it keeps `!!result`, so a
     * message would count as valid. Every validator here takes both and ends in `verdict`: true, or
     * a message, never false or undefined (which would show the bare property name).
     */
    function verdict(result) {
        if (result === true) {
            return true;
        }
        return (typeof result === "string" && result !== "") ? result : RED._("validator.errors.invalid-prop");
    }

    /** A fixed value, checked as it is typed, rather than an expression evaluated per message. */
    function isLiteral(type) {
        return type === "str" || type === "num" || type === "bool";
    }

    /**
     * The validator of a typed property: a literal value is checked by `checkLiteral` (called with
     * the node as `this` and the text as typed), other types need a well-formed expression, and a
     * non-empty one unless `optional`. `catalog` is the node's message catalogue prefix.
     */
    function typedProperty(catalog, typeField, checkLiteral, optional) {
        var syntax = RED.validators.typedInput(typeField);
        return function (v, opt) {
            var value = (v === undefined || v === null) ? "" : String(v);
            if (isLiteral(current(this, typeField) || this[typeField])) {
                return verdict(checkLiteral.call(this, value));
            }
            if (value.trim() === "") {
                return optional ? true : RED._(catalog + "errors.required");
            }
            // Without `opt`, Node-RED's typedInput validator answers false instead of its message.
            return verdict(syntax.call(this, v, opt || {}));
        };
    }

    /** The check of a literal that may be anything (a free value). */
    function anything(v, opt) {
        return true;
    }

    /** The validator of a device id property: a literal must be a positive integer. */
    function deviceIdValidator(catalog) {
        return typedProperty(catalog, "deviceIdType", function (value) {
            return POSITIVE_INTEGER.test(value.trim()) ? true : RED._(catalog + "errors.deviceId");
        });
    }

    /** The validator of an event code property: a literal must be a Blynk event code. */
    function eventCodeValidator(catalog) {
        return typedProperty(catalog, "eventCodeType", function (value) {
            return EVENT_CODE.test(value) ? true : RED._(catalog + "errors.eventCode");
        });
    }

    /** Turns #node-input-<field> into a typedInput whose type is kept in #node-input-<field>Type. */
    function typedInput(field, defaultType, types) {
        return $("#node-input-" + field).typedInput({
            default: defaultType,
            types: types,
            typeField: "#node-input-" + field + "Type"
        });
    }

    /** The node type's `paletteLabel`: its name in the palette, from its catalogue. */
    function paletteLabel(type) {
        return function () {
            return this._(type + ".paletteLabel");
        };
    }

    /** The node's name, else `specific` (a label from its settings, if any), else its palette label. */
    function label(node, type, specific) {
        return node.name || specific || node._(type + ".paletteLabel");
    }

    /** Named nodes in italics, as Node-RED's own nodes show them. */
    function labelStyle() {
        return this.name ? "node_label_italic" : "";
    }

    /**
     * Shows `text` in a notification as plain text: RED.notify renders a string as HTML, so a name
     * from Blynk or from a node would run as markup there.
     */
    function notifyText(text, type) {
        return RED.notify($("<p>").text(String(text)), type);
    }

    /**
     * A node without a connection gets the only Blynk connection there is: Node-RED (4.1) leaves
     * the field at "none" even then, and a newcomer has exactly one.
     */
    function preselectConnection(node) {
        var $select = $("#node-input-connection");
        if (!$select.length || node.connection || ($select.val() && $select.val() !== "_ADD_")) {
            return;
        }
        var ids = [];
        RED.nodes.eachConfig(function (config) {
            if (config.type === "blynk-cloud-config") {
                ids.push(config.id);
            }
        });
        if (ids.length === 1 && $select.find("option[value='" + ids[0] + "']").length) {
            $select.val(ids[0]).trigger("change");
        }
    }

    /**
     * Shows why a typed field is refused in a line under it: Node-RED puts the message in a
     * tooltip on the typedInput's hidden input, which the user can never hover.
     */
    function showTypedErrors(node) {
        var defaults = (node._def && node._def.defaults) || {};
        Object.keys(defaults).forEach(function (field) {
            var $input = $("#node-input-" + field);
            var $container = $input.next(".red-ui-typedInput-container");
            if (!$container.length || typeof defaults[field].validate !== "function") {
                return;
            }
            var $line = $("<div>", { "class": "blynk-cloud-field-error", id: "node-input-" + field + "-error", role: "alert" })
                .hide().insertAfter($input.nextAll("input[type='hidden']").last().length ? $input.nextAll("input[type='hidden']").last() : $container);
            function update() {
                var message = "";
                if ($container.hasClass("input-error")) {
                    var result = defaults[field].validate.call(node, $input.val(), {});
                    message = typeof result === "string" ? result : RED._("validator.errors.invalid-prop");
                }
                // Text, never HTML: a message may quote what was typed.
                $line.text(message).toggle(message !== "");
                $container.attr("title", message || null);
            }
            // Node-RED marks the container after its own change handler; follow the mark.
            new MutationObserver(update).observe($container[0], { attributes: true, attributeFilter: ["class"] });
            $input.on("change", function () { setTimeout(update, 0); });
            $container.on("keyup", function () { setTimeout(update, 0); });
            update();
        });
    }

    /** What every flow node's oneditprepare ends with. */
    function prepareDialog(node) {
        preselectConnection(node);
        showTypedErrors(node);
    }

    window.BlynkCloudEditor = {
        POSITIVE_INTEGER: POSITIVE_INTEGER,
        INTEGER: /^\d+$/,
        VIRTUAL_PIN: new RegExp("^\\s*" + PIN + "\\s*$"),
        // One or several pins, separated by commas, semicolons or spaces.
        PIN_LIST: new RegExp("^\\s*" + PIN + "(\\s*[,;\\s]\\s*" + PIN + ")*\\s*$"),
        EVENT_CODE: EVENT_CODE,
        // The typedInput types of a value that names something (an id, a pin) or is free text.
        ID_TYPES: ["msg", "flow", "global", "num", "str", "env", "jsonata"],
        NAME_TYPES: ["str", "msg", "flow", "global", "env", "jsonata"],
        TEXT_TYPES: ["msg", "flow", "global", "str", "env", "jsonata"],
        current: current,
        verdict: verdict,
        notifyText: notifyText,
        isLiteral: isLiteral,
        typedProperty: typedProperty,
        anything: anything,
        deviceIdValidator: deviceIdValidator,
        eventCodeValidator: eventCodeValidator,
        typedInput: typedInput,
        prepareDialog: prepareDialog,
        paletteLabel: paletteLabel,
        label: label,
        labelStyle: labelStyle
    };
})();
