// Placeholder: filled in by the next commits.
import {h} from "../../ui.js";

export function mount(element, {t}) {
  element.append(h("p", {class: "muted"}, t("ui.loading")));
}
