/*
 * lexicon.c: stopwords and the names of countries and regions.
 *
 * Stopwords are the function words of English that carry no topic: beside
 * other words a query's stopwords are neither required nor scored (a
 * question read as any-word matching drops them too); in a phrase, and in
 * a query of nothing else, they match and count.  "us" is not one: it is
 * also the United States.
 *
 * Countries: every member of the United Nations, the regions and
 * territories East Asia Forum files articles under, and their adjectives
 * and demonyms.  Each entry lists the forms of one place; a query for any
 * form also finds the others, at a lower weight (see search.c).
 */
#include "lexicon.h"

#include <stdlib.h>
#include <string.h>

/* Sorted, for bsearch. */
static const char *const english_stopwords[] = {
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an",
    "and", "any", "are", "as", "at", "be", "because", "been", "before", "being",
    "below", "between", "both", "but", "by", "can", "could", "did", "do", "does",
    "doing", "down", "during", "each", "either", "else", "ever", "every", "few",
    "for", "from", "further", "had", "has", "have", "having", "he", "her", "here",
    "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into",
    "is", "it", "its", "itself", "just", "may", "me", "might", "more", "most",
    "much", "must", "my", "myself", "neither", "no", "nor", "not", "now", "of",
    "off", "on", "once", "only", "or", "other", "others", "our", "ours",
    "ourselves", "out", "over", "own", "same", "shall", "she", "should", "so",
    "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves",
    "then", "there", "these", "they", "this", "those", "through", "thus", "to",
    "too", "under", "until", "up", "upon", "very", "was", "we", "were", "what",
    "whatever", "when", "where", "whether", "which", "while", "who", "whom",
    "whose", "why", "will", "with", "within", "without", "would", "yet", "you",
    "your", "yours", "yourself", "yourselves",
};

static int cmp_word(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

int eaf__is_stopword(const char *language, const char *word, size_t n)
{
    char buf[32];

    if (!language || strcmp(language, "english") != 0 || n == 0 || n >= sizeof(buf))
        return 0;
    memcpy(buf, word, n);
    buf[n] = '\0';
    return bsearch(buf, english_stopwords, EAF__ARRAY_LEN(english_stopwords),
                   sizeof(english_stopwords[0]), cmp_word) != NULL;
}

const char *const *eaf__stopwords(const char *language, size_t *n)
{
    if (!language || strcmp(language, "english") != 0) {
        *n = 0;
        return NULL;
    }
    *n = EAF__ARRAY_LEN(english_stopwords);
    return english_stopwords;
}

/* The words of a request rather than of its subject ("has anyone
 * investigated...", "I am interested in articles about..."): dropped, like
 * stopwords, when a question is read as any-word matching.  Sorted. */
static const char *const english_request_words[] = {
    "anyone", "anything", "article", "articles", "available", "concerning", "deal",
    "dealing", "deals", "describe", "described", "describes", "describing", "discuss",
    "discussed", "discusses", "discussing", "especially", "etc", "exist", "existing",
    "exists", "find", "found", "interest", "interested", "investigated", "like",
    "looking", "made", "make", "need", "one", "paper", "papers", "particularly",
    "please", "published", "regarding", "use", "used", "using", "want", "wish",
};

int eaf__is_request_word(const char *language, const char *word, size_t n)
{
    char buf[32];

    if (!language || strcmp(language, "english") != 0 || n == 0 || n >= sizeof(buf))
        return 0;
    memcpy(buf, word, n);
    buf[n] = '\0';
    return bsearch(buf, english_request_words, EAF__ARRAY_LEN(english_request_words),
                   sizeof(english_request_words[0]), cmp_word) != NULL;
}

/* One place per line: its forms separated by '|', folded (lower case, no
 * accents, words separated by one space), the name first. */
static const char *const places[] = {
    /* East Asia, the Pacific and the rest of Asia first: the archive's own */
    "japan|japanese",
    "china|chinese|sino|prc",
    "korea|korean|koreans",
    "south korea|south korean|south koreans|rok",
    "north korea|north korean|north koreans|dprk",
    "taiwan|taiwanese",
    "hong kong|hongkonger|hong konger",
    "macau|macao|macanese",
    "mongolia|mongolian|mongolians",
    "tibet|tibetan|tibetans",
    "united states|us|usa|u s|america|american|americans",
    "australia|australian|australians",
    "new zealand|new zealander|new zealanders",
    "india|indian|indians",
    "indonesia|indonesian|indonesians",
    "vietnam|viet nam|vietnamese",
    "philippines|philippine|filipino|filipinos",
    "thailand|thai|thais",
    "malaysia|malaysian|malaysians",
    "singapore|singaporean|singaporeans",
    "myanmar|burma|burmese",
    "cambodia|cambodian|cambodians|khmer",
    "laos|lao|laotian",
    "brunei|bruneian",
    "timor leste|east timor|timorese",
    "pakistan|pakistani|pakistanis",
    "bangladesh|bangladeshi|bangladeshis",
    "sri lanka|sri lankan|sri lankans",
    "nepal|nepali|nepalese",
    "bhutan|bhutanese",
    "maldives|maldivian|maldivians",
    "afghanistan|afghan|afghans",
    "papua new guinea|papua new guinean|png",
    "fiji|fijian|fijians",
    "solomon islands|solomon islander|solomon islanders",
    "tonga|tongan|tongans",
    "vanuatu|ni vanuatu",
    "samoa|samoan|samoans",
    "kiribati|i kiribati",
    "tuvalu|tuvaluan",
    "nauru|nauruan",
    "palau|palauan",
    "marshall islands|marshallese",
    "micronesia|micronesian",
    "pacific islands|pacific islander|pacific islanders",
    "oceania|oceanian",
    "east asia|east asian",
    "southeast asia|southeast asian",
    "south asia|south asian",
    "central asia|central asian",
    "european union|eu|europe|european|europeans",
    "russia|russian|russians|russian federation",
    "kazakhstan|kazakh|kazakhstani",
    "kyrgyzstan|kyrgyz",
    "tajikistan|tajik",
    "turkmenistan|turkmen",
    "uzbekistan|uzbek",
    /* the other members of the United Nations */
    "albania|albanian",
    "algeria|algerian",
    "andorra|andorran",
    "angola|angolan",
    "antigua and barbuda|antiguan",
    "argentina|argentine|argentinian",
    "armenia|armenian",
    "austria|austrian",
    "azerbaijan|azerbaijani|azeri",
    "bahamas|bahamian",
    "bahrain|bahraini",
    "barbados|barbadian",
    "belarus|belarusian",
    "belgium|belgian",
    "belize|belizean",
    "benin|beninese",
    "bolivia|bolivian",
    "bosnia and herzegovina|bosnian",
    "botswana|motswana|batswana",
    "brazil|brazilian|brazilians",
    "bulgaria|bulgarian",
    "burkina faso|burkinabe",
    "burundi|burundian",
    "cabo verde|cape verde|cape verdean",
    "cameroon|cameroonian",
    "canada|canadian|canadians",
    "central african republic|central african",
    "chad|chadian",
    "chile|chilean",
    "colombia|colombian",
    "comoros|comoran",
    "congo|congolese",
    "costa rica|costa rican",
    "cote d ivoire|ivory coast|ivorian",
    "croatia|croatian|croat",
    "cuba|cuban",
    "cyprus|cypriot",
    "czechia|czech republic|czech",
    "denmark|danish|dane",
    "djibouti|djiboutian",
    "dominica|dominican",
    "dominican republic|dominican",
    "ecuador|ecuadorian",
    "egypt|egyptian|egyptians",
    "el salvador|salvadoran",
    "equatorial guinea|equatoguinean",
    "eritrea|eritrean",
    "estonia|estonian",
    "eswatini|swaziland|swazi",
    "ethiopia|ethiopian",
    "finland|finnish|finn",
    "france|french",
    "gabon|gabonese",
    "gambia|gambian",
    "georgia|georgian",
    "germany|german|germans",
    "ghana|ghanaian",
    "greece|greek|greeks",
    "grenada|grenadian",
    "guatemala|guatemalan",
    "guinea|guinean",
    "guinea bissau|bissau guinean",
    "guyana|guyanese",
    "haiti|haitian",
    "honduras|honduran",
    "hungary|hungarian",
    "iceland|icelandic|icelander",
    "iran|iranian|iranians|persian",
    "iraq|iraqi|iraqis",
    "ireland|irish",
    "israel|israeli|israelis",
    "italy|italian|italians",
    "jamaica|jamaican",
    "jordan|jordanian",
    "kenya|kenyan",
    "kuwait|kuwaiti",
    "latvia|latvian",
    "lebanon|lebanese",
    "lesotho|basotho",
    "liberia|liberian",
    "libya|libyan",
    "liechtenstein|liechtensteiner",
    "lithuania|lithuanian",
    "luxembourg|luxembourgish|luxembourger",
    "madagascar|malagasy",
    "malawi|malawian",
    "mali|malian",
    "malta|maltese",
    "mauritania|mauritanian",
    "mauritius|mauritian",
    "mexico|mexican|mexicans",
    "moldova|moldovan",
    "monaco|monegasque",
    "montenegro|montenegrin",
    "morocco|moroccan",
    "mozambique|mozambican",
    "namibia|namibian",
    "netherlands|dutch|holland",
    "nicaragua|nicaraguan",
    "niger|nigerien",
    "nigeria|nigerian|nigerians",
    "north macedonia|macedonia|macedonian",
    "norway|norwegian",
    "oman|omani",
    "palestine|palestinian|palestinians",
    "panama|panamanian",
    "paraguay|paraguayan",
    "peru|peruvian",
    "poland|polish|pole",
    "portugal|portuguese",
    "qatar|qatari",
    "romania|romanian",
    "rwanda|rwandan",
    "saint kitts and nevis|kittitian",
    "saint lucia|saint lucian",
    "saint vincent and the grenadines|vincentian",
    "san marino|sammarinese",
    "sao tome and principe|santomean",
    "saudi arabia|saudi|saudis",
    "senegal|senegalese",
    "serbia|serbian|serb",
    "seychelles|seychellois",
    "sierra leone|sierra leonean",
    "slovakia|slovak",
    "slovenia|slovenian|slovene",
    "somalia|somali",
    "south africa|south african",
    "south sudan|south sudanese",
    "spain|spanish|spaniard",
    "sudan|sudanese",
    "suriname|surinamese",
    "sweden|swedish|swede",
    "switzerland|swiss",
    "syria|syrian|syrians",
    "tanzania|tanzanian",
    "togo|togolese",
    "trinidad and tobago|trinidadian",
    "tunisia|tunisian",
    "turkey|turkiye|turkish|turk",
    "uganda|ugandan",
    "ukraine|ukrainian|ukrainians",
    "united arab emirates|uae|emirati",
    "united kingdom|uk|britain|great britain|british",
    "uruguay|uruguayan",
    "venezuela|venezuelan",
    "yemen|yemeni",
    "zambia|zambian",
    "zimbabwe|zimbabwean",
};

/* Does the entry hold the folded form exactly as one of its forms? */
static int entry_has(const char *entry, const char *form, size_t n)
{
    const char *p = entry;

    while (*p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && memcmp(p, form, n) == 0)
            return 1;
        if (!bar)
            break;
        p = bar + 1;
    }
    return 0;
}

const char *eaf__place_forms(const char *form, size_t n)
{
    size_t i;

    if (n == 0)
        return NULL;
    for (i = 0; i < EAF__ARRAY_LEN(places); i++)
        if (entry_has(places[i], form, n))
            return places[i];
    return NULL;
}

const char *eaf__place_entry(size_t i)
{
    return i < EAF__ARRAY_LEN(places) ? places[i] : NULL;
}
