"""The evidence the language detector counts: function words and telltale letters.

Function words (articles, pronouns, auxiliaries, prepositions) plus the few words every
customer writes (hello, thanks, order, invoice) are the most reliable signal in short,
misspelt messages. The lists were written for this project from general knowledge of each
language (no outside data set, so no licence to carry). A word may belong to several
languages ("la", "no"): it then counts for each, and the others decide.

``LETTERS`` are characters that (among the Latin-script languages listed) only a few
languages use; each distinct one present adds one point to those languages.
"""

from __future__ import annotations

from typing import Final

_WORDS: Final[dict[str, str]] = {
    "fr": "le la les un une des du de et est je j tu il elle nous vous ils elles mon ma mes votre "
    "vos ne pas plus que qui quoi pour avec sur dans au aux ce cette ces suis avez ai a "
    "bonjour merci svp commande facture depuis toujours encore mais ou donc rien tout très "
    "deja déjà aussi moi compte colis remboursement reçu été n d l qu c s m t pouvez en à "
    "ça y on si sans par me te se leur quel quelle quels quelles sont fait faire veux "
    "voudrais",
    "en": "the a an and is are was were i you he she we they my your our not no yes that which "
    "who what for with on in at this these those am have has had do does did hello hi "
    "thanks thank please order invoice since still but or so nothing all very already also "
    "me account parcel refund can it of to been hasn haven don t s m",
    "es": "el la los las un una y es soy estoy yo tu usted nosotros mi mis su no que para con en "
    "por este esta está hola gracias pedido factura pero muy ya también cuenta todavía he "
    "recibido quiero de del al como pueden puede buenos buenas días hay me te se han ha "
    "hemos lo le les más dos veces",
    "it": "il lo la i gli le un una uno e è sono ho hai ha abbiamo non che di da del della dei "
    "per con su mio mia miei tuo suo ma anche ancora grazie buongiorno ciao ordine fattura "
    "vorrei potete può questo questa sempre già come nel nella alla al mi ti ci vi si avete "
    "siamo sei era stato stata molto tutto due volte",
    "de": "der die das den dem des ein eine einen und ist bin ich du sie wir mein meine ihr nicht "
    "kein keine dass für mit auf im in diese dieser hallo danke bitte bestellung rechnung "
    "aber sehr schon auch konto habe hat noch können zu von guten tag mir mich dir wurde "
    "wurden wird werden war sind zweimal",
    "pt": "o a os as um uma e é sou estou eu você nós meu minha meus seu sua não que para com em "
    "por este esta olá obrigado obrigada encomenda pedido fatura mas muito já também conta "
    "ainda recebi quero de do da dos das no na ao podem bom dia fui foi foram pela pelo "
    "mesma mesmo vezes duas",
    "nl": "de het een en is ben ik jij je u wij we mijn uw niet geen dat voor met op in deze "
    "hallo dank bedankt alstublieft bestelling factuur maar heel al ook account nog heb "
    "kunnen jullie van naar te",
    "pl": "i w z na nie jest to się że do co jak ale mój moja moje moich jestem mam pan pani "
    "dzień dobry dziękuję proszę zamówienie faktura jeszcze już czy przez dla",
    "sv": "och är jag du vi min mitt mina inte att för med på i det den en ett hej tack "
    "beställning faktura men mycket redan också har fortfarande fått kan ni av om som till "
    "från vad hur",
    "da": "og er jeg du vi min mit mine ikke at for med på i det den en et hej tak bestilling "
    "faktura men meget allerede også har stadig fået",
    "ro": "și este sunt eu tu noi meu mea mele nu că pentru cu pe în de la un o bună ziua "
    "mulțumesc comanda factura dar foarte deja încă am primit îmi îți puteți ale ai al unei "
    "unui",
    "tr": "ve bir bu da de ben sen biz benim sizin değil için ile merhaba teşekkür teşekkürler "
    "lütfen sipariş siparişim fatura ama çok zaten hala hâlâ gelmedi",
    "cs": "je jsem jste jsme se na to že ale nebo prosím dobrý den děkuji objednávka faktura "
    "ještě můžete moje můj není byl byla",
    "hu": "az egy és nem hogy van volt még már kérem köszönöm jó napot rendelés rendelésem "
    "számla meg is de",
}

WORDS: Final[dict[str, frozenset[str]]] = {
    lang: frozenset(words.split()) for lang, words in _WORDS.items()
}
"""Each Latin-script language the detector can name, with its function words."""

LETTERS: Final[dict[str, tuple[str, ...]]] = {
    "ñ": ("es",), "¿": ("es",), "¡": ("es",),
    "ß": ("de",),
    "ã": ("pt",), "õ": ("pt",),
    "ą": ("pl",), "ę": ("pl",), "ł": ("pl",), "ś": ("pl",), "ź": ("pl",), "ż": ("pl",),
    "ń": ("pl",), "ć": ("pl",),
    "ğ": ("tr",), "ş": ("tr",), "ı": ("tr",),
    "ș": ("ro",), "ț": ("ro",), "ă": ("ro",), "î": ("ro",),
    "å": ("sv", "da"), "ø": ("da",), "æ": ("da",),
    "ř": ("cs",), "ě": ("cs",), "ů": ("cs",),
    "ő": ("hu",), "ű": ("hu",),
}  # fmt: skip
