/**
 * The functions analysts' SQL may call (invariant 9: deny by default). A closed set of the
 * engine's canonical names (`system.functions` rows with no `alias_to`), grouped by what analysts
 * use them for; anything not named here is refused, including every function a future engine adds.
 * Left out on purpose, by family: whatever reads a file, the network or the environment (file,
 * url, s3, executable, chdb, catboostEvaluate, ai*), the server's settings, configuration or
 * identity (getSetting, getServerSetting, getMacro, currentDatabase, currentUser, timezone,
 * version, buildId, serverUUID, tcpPort), another table's data or metadata (dictGet*, joinGet*,
 * hasColumnInTable, initializeAggregation and arrayReduce, which take a function name as text),
 * the host (hostName, FQDN, uptime, filesystem*, getOSKernelVersion), the engine's internals (blockSize,
 * rowNumberInBlock, queryID, transactionID, introspection), and sleep and throwIf.
 * test/warehouse/analyst-functions.test.ts checks every name against the engine.
 */

/** Splits a family written as words: one string a family keeps this file readable. */
const words = (text: string): string[] => text.trim().split(/\s+/);

const ARITHMETIC = words(`
  plus minus multiply divide divideOrNull intDiv intDivOrZero intDivOrNull modulo moduloOrZero
  moduloOrNull positiveModulo positiveModuloOrNull negate abs gcd lcm min2 max2 avg2 midpoint sqr
  isFinite isInfinite isNaN ifNotFinite divideDecimal multiplyDecimal
`);

const MATHEMATICAL = words(`
  e pi exp exp2 exp10 log log2 log10 log1p sqrt cbrt pow intExp2 intExp10 erf erfc lgamma tgamma
  sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh hypot sign sigmoid degrees
  radians factorial widthBucket proportionsZTest ceil floor round roundBankers roundDown
  roundToExp2 roundAge roundDuration trunc bitAnd bitOr bitXor bitNot bitShiftLeft bitShiftRight
  bitCount bitTest bitTestAll bitTestAny
`);

const LOGIC_AND_COMPARISON = words(`
  and or not xor equals notEquals less greater lessOrEquals greaterOrEquals isDistinctFrom
  isNotDistinctFrom in notIn nullIn notNullIn if multiIf greatest least clamp transform isNull
  isNotNull isZeroOrNull coalesce ifNull nullIf assumeNotNull toNullable firstNonDefault
`);

const STRINGS = words(`
  empty notEmpty length lengthUTF8 lower upper lowerUTF8 upperUTF8 initcap initcapUTF8 concat
  concatWithSeparator substring substringUTF8 substringIndex substringIndexUTF8 left right
  leftUTF8 rightUTF8 leftPad rightPad leftPadUTF8 rightPadUTF8 trimBoth trimLeft trimRight repeat
  space reverse reverseUTF8 startsWith endsWith startsWithUTF8 endsWithUTF8
  startsWithCaseInsensitive endsWithCaseInsensitive startsWithCaseInsensitiveUTF8
  endsWithCaseInsensitiveUTF8 appendTrailingCharIfAbsent firstLine toValidUTF8 isValidUTF8
  isValidASCII normalizeUTF8NFC normalizeUTF8NFKC removeDiacriticsUTF8 editDistance
  editDistanceUTF8 damerauLevenshteinDistance jaroSimilarity jaroWinklerSimilarity
  stringJaccardIndex stringJaccardIndexUTF8 naturalSortKey ascii char hex unhex bin unbin
  base64Encode base64Decode tryBase64Decode base64URLEncode base64URLDecode tryBase64URLDecode
  soundex position positionUTF8 positionCaseInsensitive positionCaseInsensitiveUTF8 locate like
  notLike ilike notILike match extract extractAll extractGroups extractAllGroupsHorizontal
  extractAllGroupsVertical regexpExtract countMatches countMatchesCaseInsensitive countSubstrings
  countSubstringsCaseInsensitive countSubstringsCaseInsensitiveUTF8 hasToken
  hasTokenCaseInsensitive multiSearchAny multiSearchFirstIndex multiSearchFirstPosition
  multiSearchAllPositions multiMatchAny multiMatchAnyIndex ngramDistance ngramSearch replaceAll
  replaceOne replaceRegexpAll replaceRegexpOne regexpQuoteMeta translate translateUTF8 overlay
  overlayUTF8 printf splitByChar splitByString splitByRegexp splitByWhitespace splitByNonAlpha
  alphaTokens arrayStringConcat ngrams tokens protocol domain domainWithoutWWW topLevelDomain
  firstSignificantSubdomain cutToFirstSignificantSubdomain cutWWW port netloc path pathFull
  queryString fragment cutQueryString cutFragment cutQueryStringAndFragment extractURLParameter
  extractURLParameters extractURLParameterNames cutURLParameter URLHierarchy URLPathHierarchy
  decodeURLComponent encodeURLComponent cityHash64 sipHash64 xxHash64 xxh3 farmFingerprint64
  murmurHash3_64 intHash32 intHash64 MD5 SHA1 SHA256 jumpConsistentHash
`);

const DATES_AND_TIMES = words(`
  now now64 today yesterday UTCTimestamp toYear toQuarter toMonth toDayOfYear toDayOfMonth
  toDayOfWeek toHour toMinute toSecond toMillisecond toISOYear toISOWeek toWeek toYearWeek
  toDaysInMonth toMonday toStartOfYear toStartOfISOYear toStartOfQuarter toStartOfMonth
  toStartOfWeek toStartOfDay toStartOfHour toStartOfMinute toStartOfFiveMinutes
  toStartOfTenMinutes toStartOfFifteenMinutes toStartOfInterval toLastDayOfMonth toLastDayOfWeek
  toTimezone timezoneOf timezoneOffset toUnixTimestamp fromUnixTimestamp
  fromUnixTimestampInJodaSyntax toYYYYMM toYYYYMMDD toYYYYMMDDhhmmss YYYYMMDDToDate
  YYYYMMDDhhmmssToDateTime toRelativeYearNum toRelativeQuarterNum toRelativeMonthNum
  toRelativeWeekNum toRelativeDayNum toRelativeHourNum toRelativeMinuteNum toRelativeSecondNum
  toDaysSinceYearZero fromDaysSinceYearZero toModifiedJulianDay fromModifiedJulianDay dateDiff
  dateTrunc dateName age timeDiff monthName formatDateTime formatDateTimeInJodaSyntax makeDate
  makeDate32 makeDateTime makeDateTime64 addDate subDate addYears addQuarters addMonths addWeeks
  addDays addHours addMinutes addSeconds addInterval addTupleOfIntervals subtractYears
  subtractQuarters subtractMonths subtractWeeks subtractDays subtractHours subtractMinutes
  subtractSeconds subtractInterval subtractTupleOfIntervals timeSlot timeSlots changeYear
  changeMonth changeDay changeHour changeMinute changeSecond toUTCTimestamp fromUTCTimestamp
`);

const ARRAYS_TUPLES_MAPS = words(`
  array range arrayElement arrayElementOrNull has hasAll hasAny hasSubstr indexOf countEqual
  arrayConcat arraySlice arrayPushBack arrayPushFront arrayPopBack arrayPopFront arrayResize
  arrayReverse arraySort arrayReverseSort arrayPartialSort arrayPartialReverseSort arrayDistinct
  arrayUniq arrayCompact arrayFlatten arrayZip arrayIntersect arrayUnion arrayExcept
  arraySymmetricDifference arrayEnumerate arrayEnumerateUniq arrayEnumerateDense arrayJoin
  arrayMap arrayFilter arrayExists arrayAll arrayCount arrayFirst arrayFirstOrNull arrayLast
  arrayLastOrNull arrayFirstIndex arrayLastIndex arraySplit arrayReverseSplit arrayFill
  arrayReverseFill arrayFold arraySum arrayAvg arrayMin arrayMax arrayProduct arrayCumSum
  arrayCumSumNonNegative arrayDifference arrayRemove arrayRotateLeft arrayRotateRight
  arrayShiftLeft arrayShiftRight arrayWithConstant arrayTopK arrayBottomK arrayAUCPR arrayROCAUC
  arrayJaccardIndex arrayDotProduct emptyArrayString emptyArrayUInt64 emptyArrayInt64
  emptyArrayFloat64 emptyArrayDate emptyArrayDateTime replicate tuple tupleElement tupleConcat
  tupleNames tupleToNameValuePairs flattenTuple tuplePlus tupleMinus tupleMultiply tupleDivide
  tupleNegate dotProduct map mapKeys mapValues mapContainsKey mapContainsValue mapFromArrays
  mapAdd mapSubtract mapApply mapFilter mapExists mapAll mapSort mapReverseSort mapConcat
  mapUpdate mapPopulateSeries
`);

const TYPE_CONVERSION = words(`
  CAST _CAST accurateCast accurateCastOrNull accurateCastOrDefault toString toFixedString
  toStringCutToZero toDecimalString toBool toLowCardinality toTypeName materialize toUUID
  toUUIDOrNull toUUIDOrZero toDateTime32 parseDateTime parseDateTimeOrNull parseDateTimeOrZero
  parseDateTimeInJodaSyntax parseDateTimeInJodaSyntaxOrNull parseDateTimeBestEffort
  parseDateTimeBestEffortOrNull parseDateTimeBestEffortOrZero parseDateTimeBestEffortUS
  parseDateTime64BestEffort parseDateTime64BestEffortOrNull fromUnixTimestamp64Second
  fromUnixTimestamp64Milli fromUnixTimestamp64Micro toUnixTimestamp64Second toUnixTimestamp64Milli
  toUnixTimestamp64Micro toInterval toIntervalSecond toIntervalMinute toIntervalHour toIntervalDay
  toIntervalWeek toIntervalMonth toIntervalQuarter toIntervalYear
  toUInt8 toUInt8OrZero toUInt8OrNull toUInt8OrDefault toInt8 toInt8OrZero toInt8OrNull
  toInt8OrDefault toUInt16 toUInt16OrZero toUInt16OrNull toUInt16OrDefault toInt16 toInt16OrZero
  toInt16OrNull toInt16OrDefault toUInt32 toUInt32OrZero toUInt32OrNull toUInt32OrDefault toInt32
  toInt32OrZero toInt32OrNull toInt32OrDefault toUInt64 toUInt64OrZero toUInt64OrNull
  toUInt64OrDefault toInt64 toInt64OrZero toInt64OrNull toInt64OrDefault toUInt128 toUInt128OrZero
  toUInt128OrNull toUInt128OrDefault toInt128 toInt128OrZero toInt128OrNull toInt128OrDefault
  toUInt256 toUInt256OrZero toUInt256OrNull toUInt256OrDefault toInt256 toInt256OrZero
  toInt256OrNull toInt256OrDefault toFloat32 toFloat32OrZero toFloat32OrNull toFloat32OrDefault
  toFloat64 toFloat64OrZero toFloat64OrNull toFloat64OrDefault toDecimal32 toDecimal32OrZero
  toDecimal32OrNull toDecimal32OrDefault toDecimal64 toDecimal64OrZero toDecimal64OrNull
  toDecimal64OrDefault toDecimal128 toDecimal128OrZero toDecimal128OrNull toDecimal128OrDefault
  toDecimal256 toDecimal256OrZero toDecimal256OrNull toDecimal256OrDefault toDate toDateOrZero
  toDateOrNull toDateOrDefault toDate32 toDate32OrZero toDate32OrNull toDate32OrDefault toDateTime
  toDateTimeOrZero toDateTimeOrNull toDateTimeOrDefault toDateTime64 toDateTime64OrZero
  toDateTime64OrNull toDateTime64OrDefault
`);

const FORMATTING_AND_CHANCE = words(`
  bar formatReadableQuantity formatReadableSize formatReadableDecimalSize formatReadableTimeDelta
  parseReadableSize countDigits visibleWidth byteSize isDecimalOverflow minSampleSizeContinuous
  minSampleSizeConversion finalizeAggregation rand rand64 randCanonical randUniform
`);

/** Names the analyzer itself writes into the query tree for SQL syntax (CASE, EXISTS, GROUPING). */
const SYNTAX = words(`
  caseWithExpression exists grouping groupingOrdinary groupingForRollup groupingForCube
  groupingForGroupingSets
`);

/** Aggregate functions; every one also runs as a window function (`sum(x) OVER (...)`). */
const AGGREGATES = words(`
  count sum sumWithOverflow sumKahan sumCount avg avgWeighted min max any anyLast anyHeavy
  any_respect_nulls anyLast_respect_nulls argMin argMax argAndMin argAndMax singleValueOrNull uniq
  uniqExact uniqCombined uniqCombined64 uniqHLL12 uniqUpTo groupArray groupArraySorted
  groupArraySample groupArrayLast groupArrayInsertAt groupArrayIntersect groupArrayMovingSum
  groupArrayMovingAvg groupUniqArray groupConcat groupBitAnd groupBitOr groupBitXor topK
  topKWeighted approx_top_k approx_top_sum histogram quantile quantiles quantileExact
  quantilesExact quantileExactLow quantilesExactLow quantileExactHigh quantilesExactHigh
  quantileExactWeighted quantilesExactWeighted quantileExactWeightedInterpolated
  quantileInterpolatedWeighted quantileTDigest quantilesTDigest quantileTDigestWeighted
  quantileTiming quantilesTiming quantileDeterministic quantileBFloat16 quantileDD quantileGK
  quantilesGK varPop varSamp stddevPop stddevSamp varPopStable varSampStable stddevPopStable
  stddevSampStable covarPop covarSamp corr covarPopStable covarSampStable corrStable skewPop
  skewSamp kurtPop kurtSamp entropy rankCorr simpleLinearRegression studentTTest welchTTest
  mannWhitneyUTest meanZTest kolmogorovSmirnovTest cramersV cramersVBiasCorrected theilsU
  contingency analysisOfVariance boundingRatio deltaSum deltaSumTimestamp intervalLengthSum
  maxIntersections retention windowFunnel sequenceMatch sequenceCount sparkbar
  largestTriangleThreeBuckets exponentialMovingAverage
`);

/** Functions that run only over a window. */
const WINDOW_FUNCTIONS = words(`
  row_number rank denseRank percentRank cume_dist ntile lag lead lagInFrame leadInFrame nth_value
  nonNegativeDerivative
`);

/**
 * Aggregate combinators, spelled as suffixes (`sumIf`, `uniqArrayIf`): they change how an allowed
 * aggregate is fed or what it returns, never what it can read.
 */
const COMBINATORS = words(`
  If Array Distinct ForEach Map OrNull OrDefault Resample ArgMin ArgMax State SimpleState Merge
`);

/**
 * The engine's other names for allowed functions (`system.functions.alias_to`), as alias:canonical.
 * An alias of a refused function (hostname, DATABASE, user, timeZone) is simply not here.
 */
const ALIASES = words(`
  BIT_AND:groupBitAnd BIT_OR:groupBitOr BIT_XOR:groupBitXor CARDINALITY:length
  CHARACTER_LENGTH:lengthUTF8 CHAR_LENGTH:lengthUTF8 COVAR_POP:covarPop COVAR_SAMP:covarSamp
  DATE_DIFF:dateDiff DATE_FORMAT:formatDateTime DATE_TRUNC:dateTrunc DAY:toDayOfMonth
  DAYOFMONTH:toDayOfMonth DAYOFWEEK:toDayOfWeek DAYOFYEAR:toDayOfYear FORMAT_BYTES:formatReadableSize
  FROM_BASE64:base64Decode FROM_DAYS:fromDaysSinceYearZero FROM_UNIXTIME:fromUnixTimestamp
  HOUR:toHour LAST_DAY:toLastDayOfMonth MAP_FROM_ARRAYS:mapFromArrays MILLISECOND:toMillisecond
  MINUTE:toMinute MONTH:toMonth NATURAL_SORT_KEY:naturalSortKey OCTET_LENGTH:length
  QUARTER:toQuarter REGEXP_EXTRACT:regexpExtract REGEXP_MATCHES:match REGEXP_REPLACE:replaceRegexpAll
  REGEXP_SUBSTR:regexpExtract SECOND:toSecond STD:stddevPop STDDEV:stddevSamp STDDEV_POP:stddevPop
  STDDEV_SAMP:stddevSamp SUBSTRING_INDEX:substringIndex TIMESTAMP_DIFF:dateDiff TO_BASE64:base64Encode
  TO_DAYS:toDaysSinceYearZero TO_UNIXTIME:parseDateTime UTC_timestamp:UTCTimestamp VAR_POP:varPop
  VAR_SAMP:varSamp YEAR:toYear anova:analysisOfVariance anyLastRespectNulls:anyLast_respect_nulls
  anyRespectNulls:any_respect_nulls anyValueRespectNulls:any_respect_nulls any_value:any
  any_value_respect_nulls:any_respect_nulls approx_top_count:approx_top_k arrayAUC:arrayROCAUC
  arrayPRAUC:arrayAUCPR array_agg:groupArray array_concat_agg:groupArrayArray array_remove:arrayRemove
  array_to_string:arrayStringConcat byteSlice:substring caseWithExpr:caseWithExpression
  caseWithoutExpr:multiIf caseWithoutExpression:multiIf ceiling:ceil concat_ws:concatWithSeparator
  curdate:today current_date:today current_timestamp:now date_bin:toStartOfInterval date_diff:dateDiff
  dense_rank:denseRank extractAllGroups:extractAllGroupsVertical firstValueRespectNulls:any_respect_nulls
  first_value:any first_value_respect_nulls:any_respect_nulls flatten:arrayFlatten
  from_utc_timestamp:fromUTCTimestamp group_concat:groupConcat instr:positionCaseInsensitive
  isASCII:isValidASCII lastValueRespectNulls:anyLast_respect_nulls last_value:anyLast
  last_value_respect_nulls:anyLast_respect_nulls lcase:lower levenshteinDistance:editDistance
  levenshteinDistanceUTF8:editDistanceUTF8 ln:log localtimestamp:now lpad:leftPad ltrim:trimLeft
  lttb:largestTriangleThreeBuckets mapContains:mapContainsKey max_by:argMax median:quantile
  medianBFloat16:quantileBFloat16 medianDD:quantileDD medianDeterministic:quantileDeterministic
  medianExact:quantileExact medianExactHigh:quantileExactHigh medianExactLow:quantileExactLow
  medianExactWeighted:quantileExactWeighted
  medianExactWeightedInterpolated:quantileExactWeightedInterpolated medianGK:quantileGK
  medianInterpolatedWeighted:quantileInterpolatedWeighted medianTDigest:quantileTDigest
  medianTDigestWeighted:quantileTDigestWeighted medianTiming:quantileTiming mid:substring
  minSampleSizeContinous:minSampleSizeContinuous min_by:argMin mod:modulo modOrNull:moduloOrNull
  percent_rank:percentRank pmod:positiveModulo pmodOrNull:positiveModuloOrNull
  positive_modulo:positiveModulo positive_modulo_or_null:positiveModuloOrNull power:pow rand32:rand
  removeAccentsUTF8:removeDiacriticsUTF8 replace:replaceAll rpad:rightPad rtrim:trimRight
  scalarProduct:dotProduct sparkBar:sparkbar splitByAlpha:alphaTokens str_to_date:parseDateTimeOrNull
  string_agg:groupConcat substr:substring timeZoneOf:timezoneOf timeZoneOffset:timezoneOffset
  time_bucket:toStartOfInterval timestampDiff:dateDiff timestamp_diff:dateDiff
  toStartOfFiveMinute:toStartOfFiveMinutes toTimeZone:toTimezone to_utc_timestamp:toUTCTimestamp
  trim:trimBoth truncate:trunc ucase:upper unnest:arrayJoin vectorDifference:tupleMinus
  vectorSum:tuplePlus week:toWeek width_bucket:widthBucket yearweek:toYearWeek
`);

/** Table functions that read nothing but their arguments. */
export const ANALYST_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(
  words('numbers numbers_mt zeros zeros_mt values generate_series generateSeries'),
);
export const ANALYST_ORDINARY_FUNCTIONS: ReadonlySet<string> = new Set([
  ...ARITHMETIC,
  ...MATHEMATICAL,
  ...LOGIC_AND_COMPARISON,
  ...STRINGS,
  ...DATES_AND_TIMES,
  ...ARRAYS_TUPLES_MAPS,
  ...TYPE_CONVERSION,
  ...FORMATTING_AND_CHANCE,
]);
/** Names the analyzer writes into the query tree for SQL syntax (CASE x WHEN, EXISTS, GROUPING). */
export const ANALYST_SYNTAX_FUNCTIONS: ReadonlySet<string> = new Set(SYNTAX);
export const ANALYST_AGGREGATES: ReadonlySet<string> = new Set(AGGREGATES);
export const ANALYST_WINDOW_FUNCTIONS: ReadonlySet<string> = new Set(WINDOW_FUNCTIONS);
export const AGGREGATE_COMBINATORS: readonly string[] = COMBINATORS;
export const ANALYST_ALIASES: ReadonlyMap<string, string> = new Map(
  ALIASES.map((pair) => pair.split(':') as [string, string]),
);

/** What the engine's query tree says a call is (`function_type`). */
export type FunctionRole = 'ordinary' | 'aggregate' | 'window';

/**
 * Every spelling of an allowed function, folded to lower case, with its canonical name. The engine
 * finds a case-insensitive function in any case, and to it a case-sensitive one in another case is
 * an unknown function, so folding lets no refused function through; the test checks that no two of
 * the engine's names differ only in case and mean different functions.
 */
const SPELLINGS = new Map<string, string>();
for (const name of [
  ...ANALYST_ORDINARY_FUNCTIONS,
  ...ANALYST_SYNTAX_FUNCTIONS,
  ...ANALYST_AGGREGATES,
  ...ANALYST_WINDOW_FUNCTIONS,
]) {
  SPELLINGS.set(name.toLowerCase(), name);
}
for (const [alias, name] of ANALYST_ALIASES) SPELLINGS.set(alias.toLowerCase(), name);

/** An allowed aggregate, possibly with combinators (`uniqExactIf`, `sumArrayOrNull`). */
function aggregate(name: string): string | undefined {
  const canonical = SPELLINGS.get(name.toLowerCase());
  if (canonical && ANALYST_AGGREGATES.has(canonical)) return canonical;
  // An alias may stand for a combined name: array_concat_agg is groupArrayArray.
  if (canonical && canonical !== name) return aggregate(canonical);
  for (const combinator of COMBINATORS) {
    if (name.length <= combinator.length || !name.endsWith(combinator)) continue;
    const base = aggregate(name.slice(0, -combinator.length));
    if (base) return `${base}${combinator}`;
  }
  return undefined;
}

/**
 * The canonical name of an allowed function, or undefined when analysts may not call it. `role`
 * comes from the engine's query tree; the syntax tree does not say, so without one any role will do.
 */
export function allowedFunction(name: string, role?: FunctionRole): string | undefined {
  const canonical = SPELLINGS.get(name.toLowerCase());
  const ordinary =
    canonical !== undefined &&
    (ANALYST_ORDINARY_FUNCTIONS.has(canonical) || ANALYST_SYNTAX_FUNCTIONS.has(canonical));
  if (ordinary) return role === undefined || role === 'ordinary' ? canonical : undefined;
  if (role === 'ordinary') return undefined;
  if (canonical !== undefined && ANALYST_WINDOW_FUNCTIONS.has(canonical)) {
    return role === undefined || role === 'window' ? canonical : undefined;
  }
  return aggregate(name);
}
